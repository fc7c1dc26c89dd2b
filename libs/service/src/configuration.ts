import { checkConfiguration, type Env, type Settings } from '@ledger/config';
import { loadAppConfig } from '@ledger/config';
import { readAuditConfig } from '@ledger/audit';
import { readIdentityConfig } from '@ledger/identity';
import { readJobsConfig } from '@ledger/jobs';
import { readNotificationsConfig } from '@ledger/notifications';
import { readObservabilityConfig } from '@ledger/observability';
import { readMpesaConfig, readPaymentsConfig } from '@ledger/payments';

/**
 * The start-up check of the API and the worker: every variable against the
 * schema (libs/config/src/schema/config.schema.ts), then each section's rules
 * that relate several variables, all reported in one error so an operator
 * fixes the environment in one go.
 */
export function checkServiceConfiguration(env: Env): Settings {
  return checkConfiguration(env, [
    loadAppConfig,
    readIdentityConfig,
    readAuditConfig,
    readPaymentsConfig,
    readMpesaConfig,
    readJobsConfig,
    readNotificationsConfig,
    (e) => readObservabilityConfig(e, false),
  ]);
}
