/** `kgw audit`: a security self-test for any Kafka endpoint (a kgw gateway or a broker listener). */
export { runAudit, auditBudget, exitCodeOf, selectChecks, type AuditReport } from './runner.js';
export { renderReport, renderCheck, reportJson } from './report.js';
export { CHECKS } from './checks/index.js';
export type { AuditOptions, CheckResult, CheckStatus, Credentials } from './types.js';
