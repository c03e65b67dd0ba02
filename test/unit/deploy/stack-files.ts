/** Where the deployment files live, and the environment their secret references need in tests. */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/** What docker-compose.yml passes to the kgw containers (KGW_ADMIN_PASSWORD is the operator's). */
export const COMPOSE_ENV = { KGW_ADMIN_PASSWORD: 'compose-test-password', KGW_ADVERTISED_HOST: 'localhost' };

export function composeConfigFiles() {
  const dir = join(repoRoot, 'deploy/compose/config');
  return {
    gatewayEast: join(dir, 'gateway-east.yaml'),
    gatewayWest: join(dir, 'gateway-west.yaml'),
    mirror: join(dir, 'mirror.yaml'),
    monitor: join(dir, 'monitor.yaml'),
    env: COMPOSE_ENV,
  };
}

/** Runs `fn` with extra environment variables set, restoring the environment afterwards. */
export function withEnv<T>(env: Record<string, string>, fn: () => T): T {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
