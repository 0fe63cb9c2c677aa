// Browser test of the recovery screens (console_health.mjs): a test event's
// response body shown and kept in the Test events log, Settings → Data
// retention with the server's field errors at the field, and Recover
// (blocked while Failed, a refused time at the field, the job polled to its end).
// Usage: node console_recover_test.mjs path/to/switchboard
import { runConsoleHealth } from './console_health.mjs';

runConsoleHealth('recover', 'console_recover_test.mjs');
