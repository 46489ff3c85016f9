export * from './core/linalg/vector.js';
