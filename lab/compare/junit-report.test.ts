import { describe, expect, it } from 'vitest';
import { sampleResult } from '../report/sample-result.test-support.ts';
import { escapeXml, junitFromComparison, junitFromResult } from './junit-report.ts';
import { sampleComparison } from './sample-comparison.test-support.ts';
import { parseXml, type XmlElement } from './xml-tree.test-support.ts';

const testcases = (doc: XmlElement): XmlElement[] => doc.children.flatMap((suite) => suite.children);
const child = (element: XmlElement | undefined, name: string): XmlElement | undefined =>
  element?.children.find((c) => c.name === name);

describe('parseXml (test support)', () => {
  it('rejects the escaping mistakes the JUnit writer must avoid', () => {
    expect(() => parseXml('<a>&</a>')).toThrow(/bare &/);
    expect(() => parseXml('<a>1 < 2</a>')).toThrow();
    expect(() => parseXml('<a b="x"y"/>')).toThrow();
    expect(() => parseXml('<a>\u0001</a>')).toThrow(/forbidden/);
    expect(() => parseXml('<a><b></a></b>')).toThrow(/closes/);
  });
});

describe('escapeXml', () => {
  it('escapes markup characters and drops characters XML cannot carry', () => {
    expect(escapeXml(`<a href="x">'&'</a>\u0000\u001b\t`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;\t',
    );
  });
});

describe('junitFromResult', () => {
  it('writes one test case per gate with a failure carrying the reason of a failed gate', () => {
    const doc = parseXml(junitFromResult(sampleResult()));

    expect(doc.name).toBe('testsuites');
    expect(doc.attributes).toMatchObject({ tests: '2', failures: '1', errors: '0' });
    const [failed, passed] = testcases(doc);
    expect(failed?.attributes).toEqual({
      name: 'p99 under 250 ms while Redis is down',
      classname: 'scenario.redis-outage',
    });
    expect(child(failed, 'failure')?.attributes.message).toBe(
      'phase.redis-down.http.latency.p99Ms = 480.5, expected < 250',
    );
    expect(passed?.children).toEqual([]);
  });

  it('keeps names with markup, quotes and control characters intact and well-formed', () => {
    const name = `p99 < 250 ms & "quoted" 'apostrophes' </testcase>\u0007`;
    const gate = { name, metric: 'm', op: '<', threshold: 1, value: 2, passed: false, reason: name } as const;
    const doc = parseXml(junitFromResult(sampleResult({ gates: [gate] })));
    const [only] = testcases(doc);
    const clean = name.replace('\u0007', '');
    expect(only?.attributes.name).toBe(clean);
    expect(child(only, 'failure')?.attributes.message).toBe(clean);
  });

  it('adds an errored case when the run was invalid', () => {
    const doc = parseXml(
      junitFromResult(sampleResult({ valid: false, invalidReason: 'load generator saturated' })),
    );
    expect(doc.attributes.errors).toBe('1');
    const last = testcases(doc).at(-1);
    expect(last?.attributes.name).toBe('the measurement is valid');
    expect(child(last, 'error')?.attributes.message).toBe('load generator saturated');
  });
});

describe('junitFromComparison', () => {
  it('writes one test case per metric and fails the regressed one', () => {
    const doc = parseXml(junitFromComparison(sampleComparison()));

    expect(doc.attributes).toMatchObject({ tests: '2', failures: '1', errors: '0' });
    expect(doc.children[0]?.attributes.name).toBe('compare smoke against main');
    const [latency, sql] = testcases(doc);
    expect(latency?.attributes.name).toBe('http.latency.p99Ms');
    expect(child(latency, 'failure')?.attributes.message).toBe('http.latency.p99Ms regressed beyond ±10 %');
    expect(child(latency, 'failure')?.text).toContain('candidate values 130, 132.6, 127.4, 131.3, 128.7');
    expect(child(sql, 'failure')).toBeUndefined();
    expect(child(sql, 'system-out')?.text).toContain(
      'api.sqlPerWrite (lower is better, tolerance ±0 %): equivalent',
    );
  });

  it('reports an invalid comparison as one error with its reason', () => {
    const report = sampleComparison({
      verdict: 'invalid',
      invalidReason: 'baseline round 1 of 5 failed: npm ci <exit 1>',
      metrics: [],
    });
    const doc = parseXml(junitFromComparison(report));
    expect(doc.attributes).toMatchObject({ tests: '1', failures: '0', errors: '1' });
    expect(child(testcases(doc)[0], 'error')?.attributes.message).toBe(
      'baseline round 1 of 5 failed: npm ci <exit 1>',
    );
  });
});
