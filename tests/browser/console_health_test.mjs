// Browser test of the health screens (console_health.mjs): a webhook's
// health charts and their text alternatives, Home's counts for today and
// each webhook's success rate and p95, and Call Logs' recent calls backing
// off while unchanged and refreshing on a live change.
// Usage: node console_health_test.mjs path/to/switchboard
import { runConsoleHealth } from './console_health.mjs';

runConsoleHealth('health', 'console_health_test.mjs');
