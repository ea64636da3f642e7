import { de, en } from './dict.js';
import { deSetup, enSetup } from './dict-setup.js';

/**
 * The manager console's setup strings join the dictionaries when a manager chunk loads
 * (import this module for its effect): reps never download them.
 */
Object.assign(en, enSetup);
Object.assign(de, deSetup);
