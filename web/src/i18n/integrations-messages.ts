import { de, en } from './dict.js';
import { deIntegrations, enIntegrations } from './dict-integrations.js';
import './setup-messages.js';

/** The webhook and intake pages' strings join the dictionaries when their chunk loads (import for the effect). */
Object.assign(en, enIntegrations);
Object.assign(de, deIntegrations);
