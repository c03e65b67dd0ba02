// "Gateway: traffic and security": what clients ask of the gateway, how long it takes (split into
// time spent in the gateway and time spent waiting on the upstream broker), where the bytes go, and
// who is being turned away (authentication failures, ACL denials, rejected connections).

import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import {
  GATEWAY_ACL_DENIALS_TOTAL,
  GATEWAY_BYTES_IN_TOTAL,
  GATEWAY_BYTES_OUT_TOTAL,
  GATEWAY_CONNECTION_COUNT,
  GATEWAY_CONNECTIONS_REJECTED_TOTAL,
  GATEWAY_ENCRYPTION_DATA_KEYS_TOTAL,
  GATEWAY_ENCRYPTION_FAILURES_TOTAL,
  GATEWAY_ENCRYPTION_KMS_SECONDS,
  GATEWAY_ENCRYPTION_RECORDS_TOTAL,
  GATEWAY_FAILED_AUTHENTICATION_TOTAL,
  GATEWAY_FAILED_REAUTHENTICATION_TOTAL,
  GATEWAY_MESSAGES_IN_TOTAL,
  GATEWAY_REQUEST_ERRORS_TOTAL,
  GATEWAY_REQUEST_LOCAL_TIME_MS,
  GATEWAY_REQUEST_REMOTE_TIME_MS,
  GATEWAY_REQUEST_TOTAL_TIME_MS,
  GATEWAY_REQUESTS_TOTAL,
  GATEWAY_SUCCESSFUL_AUTHENTICATION_TOTAL,
} from '../observability/metrics/index.js';
import { AUTH_FAILURES_PER_SECOND } from './alerts/thresholds.js';
import { baseDashboard, labelValuesVariable, row, statPanel, timeSeriesPanel, UNIT } from './panels.js';
import { quantile, RATE_INTERVAL, re, sel } from './promql.js';

export const GATEWAY_UID = 'kgw-gateway';

// Gateway metrics carry no cluster label (jmx_exporter's broker names have none); a gateway
// instance fronts one cluster, so the scrape target (`instance`) selects it.
const INSTANCE = re('$instance');
const LISTENER = re('$listener');
const REQUEST = re('$request');
const TOPIC = re('$topic');

export function gatewayDashboard(): dashboard.Dashboard {
  const authThresholds = [
    { value: null, color: 'green' },
    { value: AUTH_FAILURES_PER_SECOND, color: 'red' },
  ];

  return (
    baseDashboard({
      uid: GATEWAY_UID,
      title: 'Gateway: traffic and security',
      description:
        'Requests and latency per Kafka API, bytes per topic, connections, authentication failures and ACL denials.',
      tags: ['gateway', 'security'],
    })
      .withVariable(
        labelValuesVariable({
          name: 'instance',
          label: 'Gateway',
          selector: sel(GATEWAY_CONNECTION_COUNT),
          labelName: 'instance',
          multi: true,
        }),
      )
      .withVariable(
        labelValuesVariable({
          name: 'listener',
          label: 'Listener',
          selector: sel(GATEWAY_CONNECTION_COUNT, { instance: INSTANCE }),
          labelName: 'listener',
          multi: true,
        }),
      )
      .withVariable(
        labelValuesVariable({
          name: 'request',
          label: 'Kafka API',
          selector: sel(GATEWAY_REQUESTS_TOTAL, { instance: INSTANCE }),
          labelName: 'request',
          multi: true,
        }),
      )
      .withVariable(
        labelValuesVariable({
          name: 'topic',
          label: 'Topic',
          selector: sel(GATEWAY_BYTES_IN_TOTAL, { instance: INSTANCE }),
          labelName: 'topic',
          multi: true,
        }),
      )
      .withRow(row('Security'))
      .withPanel(
        statPanel({
          title: 'Authentication failures',
          description: 'Failed authentications per second over the selected gateways and listeners.',
          unit: UNIT.perSecond,
          span: 8,
          thresholds: authThresholds,
          queries: [
            {
              expr: `sum(rate(${sel(GATEWAY_FAILED_AUTHENTICATION_TOTAL, { instance: INSTANCE, listener: LISTENER })}[${RATE_INTERVAL}]))`,
              legend: 'failures/s',
            },
          ],
        }),
      )
      .withPanel(
        statPanel({
          title: 'ACL denials',
          description: 'Operations denied by ACLs per second.',
          unit: UNIT.perSecond,
          span: 8,
          queries: [
            {
              expr: `sum(rate(${sel(GATEWAY_ACL_DENIALS_TOTAL, { instance: INSTANCE })}[${RATE_INTERVAL}]))`,
              legend: 'denials/s',
            },
          ],
        }),
      )
      .withPanel(
        statPanel({
          title: 'Open connections',
          description: 'Client connections currently open.',
          unit: UNIT.count,
          span: 8,
          queries: [
            {
              expr: `sum(${sel(GATEWAY_CONNECTION_COUNT, { instance: INSTANCE, listener: LISTENER })})`,
              legend: 'connections',
            },
          ],
        }),
      )
      .withPanel(
        timeSeriesPanel({
          title: 'Authentications by listener and mechanism',
          description: 'Successful and failed (re-)authentications per second.',
          unit: UNIT.perSecond,
          span: 12,
          thresholds: authThresholds,
          queries: [
            {
              expr: `sum by (listener, mechanism) (rate(${sel(GATEWAY_FAILED_AUTHENTICATION_TOTAL, {
                instance: INSTANCE,
                listener: LISTENER,
              })}[${RATE_INTERVAL}]))`,
              legend: 'failed {{listener}} {{mechanism}}',
            },
            {
              expr: `sum by (listener, mechanism) (rate(${sel(GATEWAY_FAILED_REAUTHENTICATION_TOTAL, {
                instance: INSTANCE,
                listener: LISTENER,
              })}[${RATE_INTERVAL}]))`,
              legend: 'failed re-auth {{listener}} {{mechanism}}',
            },
            {
              expr: `sum by (listener, mechanism) (rate(${sel(GATEWAY_SUCCESSFUL_AUTHENTICATION_TOTAL, {
                instance: INSTANCE,
                listener: LISTENER,
              })}[${RATE_INTERVAL}]))`,
              legend: 'ok {{listener}} {{mechanism}}',
            },
          ],
        }),
      )
      .withPanel(
        timeSeriesPanel({
          title: 'ACL denials by API, resource and operation',
          description:
            'Which operations are being denied. Principals are in the audit log, not in metric labels.',
          unit: UNIT.perSecond,
          span: 12,
          queries: [
            {
              expr: `sum by (api, resource_type, operation) (rate(${sel(GATEWAY_ACL_DENIALS_TOTAL, {
                instance: INSTANCE,
              })}[${RATE_INTERVAL}]))`,
              legend: '{{api}} {{resource_type}} {{operation}}',
            },
          ],
        }),
      )
      .withPanel(
        timeSeriesPanel({
          title: 'Connections by listener',
          description: 'Open client connections per listener.',
          unit: UNIT.count,
          span: 12,
          queries: [
            {
              expr: `sum by (listener) (${sel(GATEWAY_CONNECTION_COUNT, { instance: INSTANCE, listener: LISTENER })})`,
              legend: '{{listener}}',
            },
          ],
        }),
      )
      .withPanel(
        timeSeriesPanel({
          title: 'Rejected connections by reason',
          description:
            'Connections closed before being served: TLS handshake, authentication, quota, limits, protocol.',
          unit: UNIT.perSecond,
          span: 12,
          queries: [
            {
              expr: `sum by (reason) (rate(${sel(GATEWAY_CONNECTIONS_REJECTED_TOTAL, { instance: INSTANCE })}[${RATE_INTERVAL}]))`,
              legend: '{{reason}}',
            },
          ],
        }),
      )
      .withRow(row('Requests'))
      .withPanel(
        timeSeriesPanel({
          title: 'Requests per API',
          description: 'Requests per second per Kafka API.',
          unit: UNIT.requestsPerSecond,
          span: 12,
          queries: [
            {
              expr: `sum by (request) (rate(${sel(GATEWAY_REQUESTS_TOTAL, {
                instance: INSTANCE,
                listener: LISTENER,
                request: REQUEST,
              })}[${RATE_INTERVAL}]))`,
              legend: '{{request}}',
            },
          ],
        }),
      )
      .withPanel(
        timeSeriesPanel({
          title: 'Errors per API',
          description:
            'Responses carrying an error code, per API and error (e.g. TOPIC_AUTHORIZATION_FAILED).',
          unit: UNIT.requestsPerSecond,
          span: 12,
          queries: [
            {
              expr: `sum by (request, error) (rate(${sel(GATEWAY_REQUEST_ERRORS_TOTAL, {
                instance: INSTANCE,
                request: REQUEST,
              })}[${RATE_INTERVAL}]))`,
              legend: '{{request}} {{error}}',
            },
          ],
        }),
      )
      .withPanel(
        timeSeriesPanel({
          title: 'Total latency p99 per API',
          description: 'p99 of the time from receiving a request to sending its response.',
          unit: UNIT.milliseconds,
          span: 12,
          queries: [
            {
              expr: quantile(
                0.99,
                GATEWAY_REQUEST_TOTAL_TIME_MS,
                ['request'],
                { instance: INSTANCE, request: REQUEST },
                RATE_INTERVAL,
              ),
              legend: '{{request}}',
            },
          ],
        }),
      )
      .withPanel(
        timeSeriesPanel({
          title: 'Gateway vs upstream latency p99',
          description:
            'p99 of time spent in the gateway itself (local) against time waiting on the upstream broker (remote), all selected APIs.',
          unit: UNIT.milliseconds,
          span: 12,
          queries: [
            {
              expr: quantile(
                0.99,
                GATEWAY_REQUEST_LOCAL_TIME_MS,
                [],
                { instance: INSTANCE, request: REQUEST },
                RATE_INTERVAL,
              ),
              legend: 'gateway (local)',
            },
            {
              expr: quantile(
                0.99,
                GATEWAY_REQUEST_REMOTE_TIME_MS,
                [],
                { instance: INSTANCE, request: REQUEST },
                RATE_INTERVAL,
              ),
              legend: 'upstream (remote)',
            },
          ],
        }),
      )
      .withRow(row('Topics'))
      .withPanel(
        timeSeriesPanel({
          title: 'Bytes in per topic',
          description: 'Record bytes produced through the gateway per second.',
          unit: UNIT.bytesPerSecond,
          span: 8,
          queries: [
            {
              expr: `sum by (topic) (rate(${sel(GATEWAY_BYTES_IN_TOTAL, { instance: INSTANCE, topic: TOPIC })}[${RATE_INTERVAL}]))`,
              legend: '{{topic}}',
            },
          ],
        }),
      )
      .withPanel(
        timeSeriesPanel({
          title: 'Bytes out per topic',
          description: 'Record bytes fetched through the gateway per second.',
          unit: UNIT.bytesPerSecond,
          span: 8,
          queries: [
            {
              expr: `sum by (topic) (rate(${sel(GATEWAY_BYTES_OUT_TOTAL, { instance: INSTANCE, topic: TOPIC })}[${RATE_INTERVAL}]))`,
              legend: '{{topic}}',
            },
          ],
        }),
      )
      .withPanel(
        timeSeriesPanel({
          title: 'Records in per topic',
          description: 'Records produced through the gateway per second.',
          unit: UNIT.perSecond,
          span: 8,
          queries: [
            {
              expr: `sum by (topic) (rate(${sel(GATEWAY_MESSAGES_IN_TOTAL, { instance: INSTANCE, topic: TOPIC })}[${RATE_INTERVAL}]))`,
              legend: '{{topic}}',
            },
          ],
        }),
      )
      // Record encryption at rest (docs/encryption.md): absent series when no topic is encrypted.
      .withRow(row('Record encryption'))
      .withPanel(
        timeSeriesPanel({
          title: 'Records encrypted / decrypted per topic',
          description: 'Records sealed on Produce and opened on Fetch/ShareFetch per second.',
          unit: UNIT.perSecond,
          span: 6,
          queries: [
            {
              expr: `sum by (topic, operation) (rate(${sel(GATEWAY_ENCRYPTION_RECORDS_TOTAL, { instance: INSTANCE, topic: TOPIC })}[${RATE_INTERVAL}]))`,
              legend: '{{topic}} {{operation}}',
            },
          ],
        }),
      )
      .withPanel(
        timeSeriesPanel({
          title: 'Encryption failures by reason',
          description:
            'Partitions that could not be encrypted (answered with an error, never forwarded in plaintext) or decrypted (CORRUPT_MESSAGE): kms, authentication, malformed, corrupt_batch, ...',
          unit: UNIT.perSecond,
          span: 6,
          queries: [
            {
              expr: `sum by (topic, operation, reason) (rate(${sel(GATEWAY_ENCRYPTION_FAILURES_TOTAL, { instance: INSTANCE, topic: TOPIC })}[${RATE_INTERVAL}]))`,
              legend: '{{topic}} {{operation}} {{reason}}',
            },
          ],
        }),
      )
      .withPanel(
        timeSeriesPanel({
          title: 'KMS latency p99',
          description: 'p99 of KMS calls: wrap (a new data key) and unwrap (a data key read from a record).',
          unit: UNIT.seconds,
          span: 6,
          queries: [
            {
              expr: quantile(
                0.99,
                GATEWAY_ENCRYPTION_KMS_SECONDS,
                ['kms_operation'],
                { instance: INSTANCE },
                RATE_INTERVAL,
              ),
              legend: 'KMS {{kms_operation}} p99',
            },
          ],
        }),
      )
      .withPanel(
        timeSeriesPanel({
          title: 'Data keys made',
          description:
            'New data-encryption keys per second, per KEK and reason (first in this process, max_records, max_age).',
          unit: UNIT.perSecond,
          span: 6,
          queries: [
            {
              expr: `sum by (kek, reason) (rate(${sel(GATEWAY_ENCRYPTION_DATA_KEYS_TOTAL, { instance: INSTANCE })}[${RATE_INTERVAL}]))`,
              legend: '{{kek}} {{reason}}',
            },
          ],
        }),
      )
      .build()
  );
}
