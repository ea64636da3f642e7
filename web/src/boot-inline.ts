// Built into index.html as an inline script (vite.config.ts): the first requests leave
// while the app's scripts load. See lib/boot.ts.
import { startBoot } from './lib/boot.js';

startBoot();
