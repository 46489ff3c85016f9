/**
 * The one place gradflat imports tsyringe. tsyringe needs a Reflect polyfill loaded before it
 * (it checks at import time), so every module that injects imports from here.
 */
import 'reflect-metadata';
export { container, inject, injectable, DependencyContainer } from 'tsyringe';
export type { InjectionToken } from 'tsyringe';
