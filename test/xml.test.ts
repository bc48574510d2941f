import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { InvalidDataError } from '../src/errors.js';
import { attr, child, children, childText, defaultXmlLimits, escapeXml, escapeXmlText, parseXml, textOf, type XmlNode } from '../src/protocol/xml.js';
import { wsusssRecorded } from './helpers/fixtures.js';

const what = 'test document';

function expectRefused(text: string, code: string, options: Parameters<typeof parseXml>[3] = {}, limits = defaultXmlLimits): InvalidDataError {
  let caught: unknown;
  try {
    parseXml(text, what, limits, options);
  } catch (error) {
    caught = error;
  }
  expect(caught, JSON.stringify(text.slice(0, 80))).to.be.instanceOf(InvalidDataError);
  const error = caught as InvalidDataError;
  expect(error.code, JSON.stringify(text.slice(0, 80))).to.equal(code);
  expect(error.target).to.equal(what);
  expect(error.message).to.include(what);
  return error;
}

function expectMalformed(text: string): void {
  const error = expectRefused(text, 'XmlMalformed');
  expect(error.message).to.match(/ \(line \d+, column \d+\)$/);
}

describe('parseXml (the XML codec)', () => {
  describe('node shapes', () => {
    // Expected values are what the previous codec (fast-xml-parser, isArray for every element,
    // trimValues off) returned, so callers written against it read the same objects.
    const shapes: Array<[string, XmlNode]> = [
      ['<a>text</a>', { a: ['text'] }],
      ['<a/>', { a: [''] }],
      ['<a></a>', { a: [''] }],
      ['<a x="1">t</a>', { a: [{ '#text': 't', '@_x': '1' }] }],
      ['<a x="1"/>', { a: [{ '@_x': '1' }] }],
      ['<a x="1"></a>', { a: [{ '@_x': '1' }] }],
      ['<a x=""/>', { a: [{ '@_x': '' }] }],
      ["<a x='s'/>", { a: [{ '@_x': 's' }] }],
      ['<a x="1"> </a>', { a: [{ '#text': ' ', '@_x': '1' }] }],
      ['<a> </a>', { a: [' '] }],
      ['<a>x<b/>y</a>', { a: [{ b: [''], '#text': 'xy' }] }],
      ['<a>x<b>1</b>y<b>2</b>z</a>', { a: [{ b: ['1', '2'], '#text': 'xyz' }] }],
      ['<a> <b/> </a>', { a: [{ b: [''], '#text': '  ' }] }],
      ['<a>\n  <b>1</b>\n  <c/>\n</a>', { a: [{ b: ['1'], c: [''], '#text': '\n  \n  \n' }] }],
      ['<a><b/><c/><b x="2"/></a>', { a: [{ b: ['', { '@_x': '2' }], c: [''] }] }],
      ['<a><b x="1"/><b>t</b></a>', { a: [{ b: [{ '@_x': '1' }, 't'] }] }],
      ['<a><b>1</b><b/></a>', { a: [{ b: ['1', ''] }] }],
      ['<a b="1" c="2"><d/>t<e/></a>', { a: [{ d: [''], e: [''], '#text': 't', '@_b': '1', '@_c': '2' }] }],
      ['<a><b><c>deep</c></b></a>', { a: [{ b: [{ c: ['deep'] }] }] }],
      ['<a>1</a>', { a: ['1'] }],
      ['<a>true</a>', { a: ['true'] }],
      ['\n<a/>\n', { a: [''] }],
      ['<!-- c --><a><!-- x -->t<!-- y --></a>', { a: ['t'] }],
      ['<a><!----></a>', { a: [''] }],
      ['<a><![CDATA[<x>&amp;]]></a>', { a: ['<x>&amp;'] }],
      ['<a>p<![CDATA[q]]>r</a>', { a: ['pqr'] }],
      ['<a>  <![CDATA[ ]]>  </a>', { a: ['     '] }],
      ['<a><![CDATA[]]></a>', { a: [''] }],
      ['<a><![CDATA[x]]]></a>', { a: ['x]'] }],
      ['<a>\u00e9\u{1F600}</a>', { a: ['\u00e9\u{1F600}'] }],
      ['<a>></a>', { a: ['>'] }],
      ['<a x=">"/>', { a: [{ '@_x': '>' }] }],
      ['<a>\r\n x \r\n</a>', { a: ['\n x \n'] }],
      ['<a>x\ry</a>', { a: ['x\ny'] }],
      ['<a><![CDATA[x\r\ny\rz]]></a>', { a: ['x\ny\nz'] }],
    ];
    for (const [text, expected] of shapes) {
      it(`${JSON.stringify(text)}`, () => {
        expect(parseXml(text, what)).to.deep.equal(expected);
        expect(parseXml(text, what, undefined, { keepPrefixes: true })).to.deep.equal(expected);
      });
    }

    it('orders keys as the previous codec did: children by first appearance, then #text, then attributes', () => {
      const a = child(parseXml('<a z="1" y="2">t<c/><b/><c/>u</a>', what), 'a')!;
      expect(Object.keys(a)).to.deep.equal(['c', 'b', '#text', '@_z', '@_y']);
    });

    it('leaves out the XML declaration and processing instructions (the previous codec kept them under ?-keys)', () => {
      expect(parseXml('<?xml version="1.0" encoding="utf-8"?><a/>', what)).to.deep.equal({ a: [''] });
      expect(parseXml('<?xml version="1.0"?>\n<?pi data?><a><?pi x?>t<?pi y?>u</a><?pi z?>\n', what)).to.deep.equal({ a: ['tu'] });
      expect(parseXml('\uFEFF<?xml version="1.0"?><a/>', what)).to.deep.equal({ a: [''] });
    });

    it('normalises white space in attribute values as XML requires, keeping what character references wrote', () => {
      expect(parseXml('<a x="a\tb\nc\r\nd\re"/>', what)).to.deep.equal({ a: [{ '@_x': 'a b c d e' }] });
      expect(parseXml('<a x="a&#9;b&#xA;c&#xD;d"/>', what)).to.deep.equal({ a: [{ '@_x': 'a\tb\nc\rd' }] });
    });

    it('stores element names that are also Object.prototype members as own properties, without touching the prototype', () => {
      const doc = parseXml('<a><constructor>x</constructor><__proto__ k="1"/><toString/><__proto__/><hasOwnProperty/></a>', what);
      const a = child(doc, 'a')!;
      expect(Object.keys(a)).to.deep.equal(['constructor', '__proto__', 'toString', 'hasOwnProperty']);
      expect(Object.getPrototypeOf(a)).to.equal(Object.prototype);
      expect(a['constructor']).to.deep.equal(['x']);
      expect(Object.getOwnPropertyDescriptor(a, '__proto__')?.value).to.deep.equal([{ '@_k': '1' }, '']);
      expect(a['toString']).to.deep.equal(['']);
      expect(({} as Record<string, unknown>)['k']).to.equal(undefined);
      expect(parseXml('<__proto__>x</__proto__>', what)).to.have.own.property('__proto__');
    });

    it('parses every recorded update document and SOAP exchange', () => {
      const files = [
        ...filesUnder(path.join(wsusssRecorded, 'docs')).filter((file) => file.endsWith('.xml')),
        ...filesUnder(path.join(wsusssRecorded, 'exchanges')).filter((file) => file.endsWith('.body')),
      ];
      let parsed = 0;
      for (const file of files) {
        const text = readFileSync(file, 'utf8');
        // Some bodies are empty (HTTP 200 without content).
        if (text.trim() === '') continue;
        expect(Object.keys(parseXml(text, file, undefined, { keepPrefixes: true })), file).to.have.length(1);
        parsed++;
      }
      expect(parsed).to.be.greaterThan(40);
    });
  });

  describe('entities and character references', () => {
    it('decodes the five predefined entities in text and attributes', () => {
      expect(parseXml('<a x="&lt;&amp;&gt;&quot;&apos;">&lt;&amp;&gt;&quot;&apos;</a>', what)).to.deep.equal({ a: [{ '#text': '<&>"\'', '@_x': '<&>"\'' }] });
    });

    it('always decodes decimal and hexadecimal character references, decodeCharRefs or not', () => {
      const expected = { a: [{ '#text': 'AB\u00e9\u{1F600}\r', '@_x': 'AB' }] };
      const text = '<a x="&#65;&#x42;">&#65;&#x42;&#233;&#x1F600;&#xD;</a>';
      expect(parseXml(text, what)).to.deep.equal(expected);
      expect(parseXml(text, what, undefined, { decodeCharRefs: true })).to.deep.equal(expected);
      expect(parseXml(text, what, undefined, { decodeCharRefs: false })).to.deep.equal(expected);
      expect(parseXml('<a>&#x0000041;&#0000065;</a>', what)).to.deep.equal({ a: ['AA'] });
    });

    it('decodes in a single pass', () => {
      expect(parseXml('<a x="&amp;lt;">&amp;#65;&amp;amp;</a>', what)).to.deep.equal({ a: [{ '#text': '&#65;&amp;', '@_x': '&lt;' }] });
    });

    it('reads back exactly what escapeXmlText and escapeXml wrote', () => {
      const value = 'a & b < c > d "e" \'f\' \r\n g \r h \n \t';
      expect(childText(parseXml(`<a>${escapeXmlText(value)}</a>`, what), 'a')).to.equal(value);
      const attribute = 'a & b < c > d "e" \'f\'';
      expect(attr(child(parseXml(`<a x="${escapeXml(attribute)}"/>`, what), 'a'), 'x')).to.equal(attribute);
    });
  });

  describe('namespace prefixes', () => {
    const text = '<p:a xmlns:p="urn:p" xmlns="urn:d" xsi:type="t" xmlns:xsi="urn:x" p:y="1" z="2"><p:b>t</p:b><c/></p:a>';

    it('are removed by default, with the xmlns declarations', () => {
      expect(parseXml(text, what)).to.deep.equal({ a: [{ b: ['t'], c: [''], '@_type': 't', '@_y': '1', '@_z': '2' }] });
      expect(parseXml('<a xmlns:p="u"><p:b p:c="1" xmlns:p="v"/></a>', what)).to.deep.equal({ a: [{ b: [{ '@_c': '1' }] }] });
    });

    it('are kept with keepPrefixes, with the xmlns declarations', () => {
      expect(parseXml(text, what, undefined, { keepPrefixes: true })).to.deep.equal({
        'p:a': [{ 'p:b': ['t'], c: [''], '@_xmlns:p': 'urn:p', '@_xmlns': 'urn:d', '@_xsi:type': 't', '@_xmlns:xsi': 'urn:x', '@_p:y': '1', '@_z': '2' }],
      });
    });

    it('an element with only namespace declarations is its text once they are removed', () => {
      expect(parseXml('<a xmlns="urn:d" xmlns:p="urn:p">t</a>', what)).to.deep.equal({ a: ['t'] });
      expect(parseXml('<a xmlns="urn:d">t</a>', what, undefined, { keepPrefixes: true })).to.deep.equal({ a: [{ '#text': 't', '@_xmlns': 'urn:d' }] });
    });
  });

  describe('well-formedness', () => {
    it('refuses mismatched, unclosed and stray end tags', () => {
      expectMalformed('<a></b>');
      expectMalformed('<a><b></a></b>');
      expectMalformed('<a><b></b></c></a>');
      expectMalformed('<a>');
      expectMalformed('<a><b/>');
      expectMalformed('</a>');
      expectMalformed('<a></a></a>');
    });

    it('refuses text or elements after the root, text before it, and more than one root', () => {
      expectMalformed('<a>x</a>y');
      expectMalformed('y<a>x</a>');
      expectMalformed('<a/><b/>');
      expectMalformed('<a/><a/>');
      expectMalformed('<a>x</a>\n<a>x</a>');
    });

    it('refuses unquoted, valueless, repeated and unseparated attributes', () => {
      expectMalformed('<a x=1/>');
      expectMalformed('<a x/>');
      expectMalformed('<a x="1" x="2"/>');
      expectMalformed('<a p:x="1" p:x="2"/>');
      expectMalformed('<a x="1"y="2"/>');
    });

    it('refuses < in an attribute value', () => {
      expectMalformed('<a x="<"/>');
      expectMalformed("<a x='a<b'/>");
    });

    it('refuses undefined entities, bare ampersands and references to characters XML forbids', () => {
      expectMalformed('<a>&bogus;</a>');
      expectMalformed('<a x="&bogus;"/>');
      expectMalformed('<a>&nbsp;</a>');
      expectMalformed('<a>& b</a>');
      expectMalformed('<a x="a & b"/>');
      expectMalformed('<a>&#0;</a>');
      expectMalformed('<a>&#xFFFE;</a>');
      expectMalformed('<a>&#x110000;</a>');
      expectMalformed('<a>&#xD800;</a>');
    });

    it('refuses characters XML forbids, invalid names, ]]> in text and -- in comments', () => {
      expectMalformed('<a>\u0001</a>');
      expectMalformed('<a>\uD800</a>');
      expectMalformed('<1a/>');
      expectMalformed('<a 1x="1"/>');
      expectMalformed('<a>]]></a>');
      expectMalformed('<!-- a -- b --><a/>');
    });

    it('refuses an XML declaration anywhere but at the start', () => {
      expectMalformed(' <?xml version="1.0"?><a/>');
      expectMalformed('<?xml version="1.0"?><?xml version="1.0"?><a/>');
      expectMalformed('<a><?xml version="1.0"?></a>');
    });

    it('refuses empty and truncated documents, at every cut of a real one', () => {
      expectMalformed('');
      expectMalformed('  \n');
      expectMalformed('text');
      expectMalformed('<?xml version="1.0"?>');
      expectMalformed('<a><![CDATA[x]]>');
      expectMalformed('<a><!-- x');
      const text = readFileSync(path.join(wsusssRecorded, 'docs', 'ccb78947-6453-4ecc-9de8-bc0305c98f2d-r200.xml'), 'utf8').trimEnd();
      parseXml(text, what);
      for (let end = 0; end < text.length; end++) expectMalformed(text.slice(0, end));
    });

    it('names the document and the place in the message', () => {
      const error = expectRefused('<a>\n<b>\n</c></a>', 'XmlMalformed');
      expect(error.message).to.match(/^test document is not well-formed XML: .+ \(line 3, column \d+\)$/);
    });
  });

  describe('DTDs', () => {
    it('refuses any DOCTYPE or ENTITY declaration and never resolves its entities', () => {
      expectRefused('<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>', 'XmlDtdRefused');
      expectRefused('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><a>&lol2;</a>', 'XmlDtdRefused');
      expectRefused('<!DOCTYPE a SYSTEM "http://example.invalid/a.dtd"><a/>', 'XmlDtdRefused');
      expectRefused('<!doctype a><a/>', 'XmlDtdRefused');
      expectRefused('<a/><!DOCTYPE a>', 'XmlDtdRefused');
      expectRefused('<a><!ENTITY x "y"></a>', 'XmlDtdRefused');
      expectRefused('<!DOCTYPE a [<!ENTITY x "y">', 'XmlDtdRefused');
    });
  });

  describe('limits', () => {
    it('refuses a document over maxLength', () => {
      const text = '<a>0123456789</a>';
      expect(parseXml(text, what, { ...defaultXmlLimits, maxLength: text.length })).to.deep.equal({ a: ['0123456789'] });
      expectRefused(text, 'XmlTooLarge', {}, { ...defaultXmlLimits, maxLength: text.length - 1 });
    });

    it('refuses nesting deeper than maxDepth, counting the root', () => {
      const nested = (depth: number): string => `${'<e>'.repeat(depth)}${'</e>'.repeat(depth)}`;
      const limits = { ...defaultXmlLimits, maxDepth: 5 };
      expect(parseXml(nested(5), what, limits)).to.deep.equal({ e: [{ e: [{ e: [{ e: [{ e: [''] }] }] }] }] });
      expectRefused(nested(6), 'XmlTooDeep', {}, limits);
      parseXml(nested(defaultXmlLimits.maxDepth), what);
      expectRefused(nested(defaultXmlLimits.maxDepth + 1), 'XmlTooDeep');
    });

    it('refuses a 10,000-deep nesting attempt without exhausting the stack, closed or not', () => {
      expectRefused(`${'<e>'.repeat(10000)}${'</e>'.repeat(10000)}`, 'XmlTooDeep');
      expectRefused('<e>'.repeat(10000), 'XmlTooDeep');
      // The tree is built without recursion, so even an allowed 10,000-deep document is fine.
      expect(() => parseXml(`${'<e>'.repeat(10000)}${'</e>'.repeat(10000)}`, what, { ...defaultXmlLimits, maxDepth: 10000 })).to.not.throw();
    });
  });

  describe('readers', () => {
    const doc = parseXml('<r><leaf>t</leaf><e/><x k="v">w</x><x k="2"/><m>a<n/>b</m></r>', what);
    const root = child(doc, 'r');

    it('children, child, childText, textOf and attr read both leaf strings and objects', () => {
      expect(children(root, 'x')).to.have.length(2);
      expect(children(root, 'missing')).to.deep.equal([]);
      expect(childText(root, 'leaf')).to.equal('t');
      expect(childText(root, 'e')).to.equal('');
      expect(childText(root, 'x')).to.equal('w');
      expect(childText(root, 'm')).to.equal('ab');
      expect(childText(root, 'missing')).to.equal(undefined);
      expect(textOf(children(root, 'x')[1])).to.equal('');
      expect(attr(child(root, 'x'), 'k')).to.equal('v');
      expect(attr(child(root, 'x'), 'missing')).to.equal(undefined);
      expect(attr(undefined, 'k')).to.equal(undefined);
    });
  });
});

/** Files under `dir`, at any depth. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((name) => path.join(dir, name));
}
