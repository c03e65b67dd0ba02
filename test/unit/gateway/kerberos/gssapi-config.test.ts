// The gateway's `kerberos` configuration: what is required, and that every problem names the file,
// line and key at fault.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../../../config/errors.js';
import { parseGatewayConfig } from '../../../../gateway/config/load.js';

const base = (listenerMechanisms: string, kerberos = ''): string => `
listeners:
  - name: external
    port: 9092
    allowPlaintext: true
    saslMechanisms: [${listenerMechanisms}]
    addressing: { mode: port-per-broker, advertisedHost: localhost, brokerPortBase: 9100 }
upstream:
  bootstrap: [127.0.0.1:19092]
${kerberos}`;

function problems(yaml: string): string[] {
  try {
    parseGatewayConfig(yaml, '/etc/kgw/gateway.yaml');
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.problems;
  }
  return [];
}

void describe('gateway config: kerberos', () => {
  void it('GSSAPI on a listener needs the kerberos section', () => {
    assert.deepEqual(problems(base('GSSAPI')), [
      '/etc/kgw/gateway.yaml:2: kerberos: GSSAPI is offered on listener external but kerberos (keytab, servicePrincipal) is not configured',
    ]);
  });

  void it('a valid section: keytab relative to the config file, rules default to DEFAULT', () => {
    const cfg = parseGatewayConfig(
      base(
        'GSSAPI, SCRAM-SHA-512',
        'kerberos:\n  keytab: kafka.keytab\n  servicePrincipal: kafka/gw.example.com@EXAMPLE.COM\n',
      ),
      '/etc/kgw/gateway.yaml',
    );
    assert.equal(cfg.kerberos?.keytab, '/etc/kgw/kafka.keytab');
    assert.deepEqual(cfg.kerberos?.principalToLocalRules, ['DEFAULT']);
    assert.deepEqual(cfg.listeners[0]?.saslMechanisms, ['GSSAPI', 'SCRAM-SHA-512']);
  });

  void it('"*" accepts any principal of the keytab; a malformed service principal is named', () => {
    const ok = parseGatewayConfig(
      base('GSSAPI', 'kerberos:\n  keytab: /k.keytab\n  servicePrincipal: "*"\n'),
      '/etc/kgw/gateway.yaml',
    );
    assert.equal(ok.kerberos?.servicePrincipal, '*');
    assert.deepEqual(
      problems(base('GSSAPI', 'kerberos:\n  keytab: /k.keytab\n  servicePrincipal: kafka host\n')),
      ['/etc/kgw/gateway.yaml:12: kerberos.servicePrincipal: expected service/host@REALM, or "*"'],
    );
  });

  void it('an invalid rule is reported with its index and line, in Kafka words', () => {
    const yaml = base(
      'GSSAPI',
      [
        'kerberos:',
        '  keytab: /k.keytab',
        '  servicePrincipal: kafka/gw@EXAMPLE.COM',
        '  principalToLocalRules:',
        '    - RULE:[1:$1]',
        '    - DEFAULT/L',
        '',
      ].join('\n'),
    );
    assert.deepEqual(problems(yaml), [
      '/etc/kgw/gateway.yaml:15: kerberos.principalToLocalRules[1]: Invalid rule: `DEFAULT/L`, unmatched substring: `/L`',
    ]);
  });

  void it('unknown keys are refused', () => {
    assert.deepEqual(
      problems(base('GSSAPI', 'kerberos:\n  keytab: /k.keytab\n  servicePrincipal: "*"\n  qop: auth-conf\n')),
      ['/etc/kgw/gateway.yaml:11: kerberos: unknown key(s): qop'],
    );
  });
});
