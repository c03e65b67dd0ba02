import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  InvalidMappingRuleError,
  NoMatchingRuleError,
  SslPrincipalMapper,
  sslPrincipal,
  x500NameFromSubject,
} from '../../../security/principal-mapping.js';

void describe('ssl.principal.mapping.rules', () => {
  // The example from Kafka's security documentation.
  const docsRules =
    'RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/,\n' +
    'RULE:^CN=(.*?),OU=(.*?),O=(.*?),L=(.*?),ST=(.*?),C=(.*?)$/$1@$2/L,\n' +
    'RULE:^.*[Cc][Nn]=([a-zA-Z0-9.]*).*$/$1/L,\n' +
    'DEFAULT';
  const docsTable: [string, string][] = [
    ['CN=serviceuser,OU=ServiceUsers,O=Unknown,L=Unknown,ST=Unknown,C=Unknown', 'serviceuser'],
    ['CN=adminUser,OU=Admin,O=Unknown,L=Unknown,ST=Unknown,C=Unknown', 'adminuser@admin'],
    ['O=Unknown,CN=Someone.Else,C=X', 'someone.else'],
    ['O=NoCommonName,C=X', 'O=NoCommonName,C=X'],
  ];
  for (const [dn, name] of docsTable) {
    void it(`docs example: ${dn} → ${name}`, () =>
      assert.equal(new SslPrincipalMapper(docsRules).getName(dn), name));
  }
  void it('docs example with /U', () => {
    const m = new SslPrincipalMapper('RULE:^CN=(.*?),OU=(.*?),O=(.*?),L=(.*?),ST=(.*?),C=(.*?)$/$1@$2/U');
    assert.equal(
      m.getName('CN=adminUser,OU=Admin,O=Unknown,L=Unknown,ST=Unknown,C=Unknown'),
      'ADMINUSER@ADMIN',
    );
  });

  // Cases from Kafka's SslPrincipalMapperTest.
  const kafkaRules = [
    'RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/L',
    'RULE:^CN=(.*?),OU=(.*?),O=(.*?),L=(.*?),ST=(.*?),C=(.*?)$/$1@$2/L',
    'RULE:^cn=(.*?),ou=(.*?),dc=(.*?),dc=(.*?)$/$1@$2/U',
    'RULE:^.*[Cc][Nn]=([a-zA-Z0-9.]*).*$/$1/U',
    'DEFAULT',
  ].join(', ');
  const kafkaTable: [string, string][] = [
    ['CN=Duke,OU=ServiceUsers,O=Org,C=US', 'duke'],
    ['CN=Duke,OU=SME,O=mycp,L=Fulton,ST=MD,C=US', 'duke@sme'],
    ['cn=duke,ou=sme,dc=mycp,dc=com', 'DUKE@SME'],
    ['cN=duke,OU=JavaSoft,O=Sun Microsystems', 'DUKE'],
    ['OU=JavaSoft,O=Sun Microsystems,C=US', 'OU=JavaSoft,O=Sun Microsystems,C=US'],
  ];
  for (const [dn, name] of kafkaTable) {
    void it(`Kafka test: ${dn} → ${name}`, () =>
      assert.equal(new SslPrincipalMapper(kafkaRules).getName(dn), name));
  }

  const valid = [
    'DEFAULT',
    'RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/',
    'RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/L, DEFAULT',
    'RULE:^CN=(.*?),OU=(.*?),O=(.*?),L=(.*?),ST=(.*?),C=(.*?)$/$1@$2/',
    'RULE:^.*[Cc][Nn]=([a-zA-Z0-9.]*).*$/$1/L',
    'RULE:^cn=(.?),ou=(.?),dc=(.?),dc=(.?)$/$1@$2/U',
    'RULE:^CN=([^,ADEFLTU,]+)(,.*|$)/$1/',
    'RULE:^CN=([^,DEFAULT,]+)(,.*|$)/$1/',
  ];
  for (const r of valid) void it(`valid: ${r}`, () => assert.doesNotThrow(() => new SslPrincipalMapper(r)));
  const invalid = [
    'default',
    'DEFAUL',
    'DEFAULT/L',
    'DEFAULT/U',
    'RULE:CN=(.*?),OU=ServiceUsers.*/$1',
    'rule:^CN=(.*?),OU=ServiceUsers.*$/$1/',
    'RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/L/U',
    'RULE:^CN=(.*?),OU=ServiceUsers.*$/L',
    'RULE:^CN=(.*?),OU=ServiceUsers.*$/U',
    'RULE:^CN=(.*?),OU=ServiceUsers.*$/LU',
  ];
  for (const r of invalid)
    void it(`invalid: ${r}`, () => assert.throws(() => new SslPrincipalMapper(r), InvalidMappingRuleError));

  const splitting: [string, string][] = [
    ['', '[]'],
    ['   ', '[]'],
    ['DEFAULT', '[DEFAULT]'],
    ['  DEFAULT ', '[DEFAULT]'],
    ['DEFAULT,DEFAULT', '[DEFAULT, DEFAULT]'],
    ['RULE:a/b/', '[RULE:a/b]'],
    ['RULE:a/b/L, RULE:c/d/U ,DEFAULT', '[RULE:a/b/L, RULE:c/d/U, DEFAULT]'],
    ['RULE:\\/a\\//b/', '[RULE:\\/a\\//b]'],
  ];
  for (const [rules, printed] of splitting)
    void it(`splits ${JSON.stringify(rules)}`, () =>
      assert.equal(new SslPrincipalMapper(rules).toString(), printed));

  void it('escaped comma and whitespace in a DN (Kafka testCommaWithWhitespace)', () => {
    const m = new SslPrincipalMapper('RULE:^CN=((\\\\, *|\\w)+)(,.*|$)/$1/,DEFAULT');
    assert.equal(m.getName('CN=Kafka\\, Server,OU=ServiceUsers,O=Org,C=US'), 'Kafka\\, Server');
  });
  void it('back references to missing groups stay literal; $12 with one group is $1 then "2"', () => {
    assert.equal(new SslPrincipalMapper('RULE:^CN=(.*)$/$1@$4/').getName('CN=x'), 'x@$4');
    assert.equal(new SslPrincipalMapper('RULE:^CN=(.*)$/$12/').getName('CN=x'), 'x2');
    assert.equal(new SslPrincipalMapper('RULE:^CN=(.*)$/\\$1/').getName('CN=x'), '$1');
  });
  void it('replaceAll semantics: a pattern that can match empty also replaces at the end', () => {
    assert.equal(new SslPrincipalMapper('RULE:(.*)/x$1/').getName('CN=a'), 'xCN=ax');
  });
  void it('no matching rule is an error', () => {
    assert.throws(() => new SslPrincipalMapper('RULE:^CN=(.*)$/$1/').getName('O=x'), NoMatchingRuleError);
  });
  void it('default rules (null) and principal form', () => {
    assert.equal(sslPrincipal(new SslPrincipalMapper(null), 'CN=a,O=b'), 'User:CN=a,O=b');
  });
});

void describe('DN from Node subject object', () => {
  void it('reverses to most-specific-first', () => {
    assert.equal(
      x500NameFromSubject({ C: 'US', O: 'acme', OU: 'eng', CN: 'alice' }),
      'CN=alice,OU=eng,O=acme,C=US',
    );
  });
  void it('escapes and arrays', () => {
    assert.equal(x500NameFromSubject({ O: 'a,b', OU: ['x', 'y'], CN: ' c' }), 'CN=\\ c,OU=y,OU=x,O=a\\,b');
  });
  void it('emailAddress printed as hex like Java', () => {
    assert.equal(
      x500NameFromSubject({ CN: 'bob', emailAddress: 'bob@example.com' }),
      '1.2.840.113549.1.9.1=#160f626f62406578616d706c652e636f6d,CN=bob',
    );
  });
});
