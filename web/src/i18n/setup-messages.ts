import { de, en } from './dict.js';
import { deSetup, enSetup } from './dict-setup.js';
import './dict-whatif.js'; // the What if page's strings join the same way

/**
 * The manager console's setup strings join the dictionaries when a manager chunk loads
 * (import this module for its effect): reps never download them.
 */
Object.assign(en, enSetup);
Object.assign(de, deSetup);
