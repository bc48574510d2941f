/**
 * The [MS-WSUSSS] SOAP codec against the real exchanges recorded from a Windows Server 2025 WSUS
 * (fixtures/wsusss/recorded, see PROVENANCE.md): every request and response is read with concrete
 * values checked, written back and compared element by element (and byte by byte) with the
 * recording; then bad input, anchors, date-times and a 100,000-revision list.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { InvalidArgumentError, InvalidDataError, SoapFaultError } from '../src/errors.js';
import {
  buildFault,
  buildRequest,
  buildResponse,
  DSS_AUTH_NS,
  formatAnchor,
  formatDateTime,
  parseAnchor,
  parseDateTime,
  parseRequest,
  parseResponse,
  pathOf,
  WSUS_NS,
  type Operation,
  type RequestMessage,
  type RequestOf,
  type ResponseOf,
  type WsusErrorCode,
} from '../src/protocol/soap/index.js';
import { splitRevisionList } from '../src/protocol/soap/revision-list.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { wsusssRecorded } from './helpers/fixtures.js';
import { type Exchange, loadExchanges, structuralDiff } from './helpers/wsusss.js';

const exchanges = loadExchanges();
const exchange = (key: string): Exchange => {
  const found = exchanges.find((e) => e.key === key);
  if (found === undefined) throw new Error(`no exchange ${key}`);
  return found;
};
const faultKeys = ['exchanges/000017', 'exchanges/000018', 'exchanges/000019'];

function requestOf<O extends Operation>(key: string, operation: O): RequestOf<O> {
  const e = exchange(key);
  const message = parseRequest(e.request, e.soapAction);
  expect(message.operation).to.equal(operation);
  return message as RequestOf<O>;
}

function responseOf<O extends Operation>(key: string, operation: O): ResponseOf<O> {
  return parseResponse(operation, exchange(key).response);
}

function caught(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

function expectDataError(action: () => unknown, code: string, target?: string): InvalidDataError {
  const error = caught(action);
  expect(error, String(error)).to.be.instanceOf(InvalidDataError);
  const typed = error as InvalidDataError;
  expect(typed.code, typed.message).to.equal(code);
  if (target !== undefined) expect(typed.target).to.equal(target);
  return typed;
}

function faultOf(key: string): SoapFaultError {
  const e = exchange(key);
  const error = caught(() => parseResponse(e.operation, e.response));
  expect(error).to.be.instanceOf(SoapFaultError);
  return error as SoapFaultError;
}

// ---------------------------------------------------------------------------------------------

const PRODUCT_DEFENDER = '8c3fcc84-7410-4a95-8b89-a166a0190486';
const DEFINITION_UPDATES = 'e0789628-ce08-4437-be74-2495b842f43b';
const SECURITY_UPDATES = '0fa1201d-4330-4fa8-8ae9-b877473b6441';
const productAndDefinitions = (delta: boolean) => ({
  categories: [{ id: PRODUCT_DEFENDER, delta }],
  classifications: [{ id: DEFINITION_UPDATES, delta }],
});

describe('SOAP messages ([MS-WSUSSS] codec)', () => {
  it('loads all 35 recorded exchanges', () => {
    expect(exchanges).to.have.length(35);
  });

  describe('parseRequest on the recorded requests', () => {
    for (const e of exchanges) {
      it(`${e.key}: ${e.operation} is recognised from the body and matches SOAPAction and path`, () => {
        const message = parseRequest(e.request, e.soapAction);
        expect(message.operation).to.equal(e.operation);
        expect(pathOf(message.operation)).to.equal(e.path);
        const built = buildRequest(message);
        expect(built.soapAction).to.equal(e.soapAction);
        expect(built.path).to.equal(e.path);
      });
    }

    it('GetAuthConfig has no parameters', () => {
      expect(requestOf('exchanges/000001', 'GetAuthConfig')).to.deep.equal({ operation: 'GetAuthConfig' });
    });

    it('GetAuthorizationCookie carries the account name and GUID (DSS namespace)', () => {
      expect(requestOf('exchanges/000002', 'GetAuthorizationCookie')).to.deep.equal({
        operation: 'GetAuthorizationCookie',
        accountName: 'probe.lab.invalid',
        accountGuid: '6f1c2f6e-3f0b-4d3a-9b1e-0d2f6a1c5e12',
      });
      expect(requestOf('exchanges-client/000002', 'GetAuthorizationCookie').accountName).to.equal('m5.lab.invalid');
      expect(requestOf('exchanges-client/001042', 'GetAuthorizationCookie')).to.include({
        accountName: 'ours.lab.invalid',
        accountGuid: '6f1c2f6e-3f0b-4d3a-9b1e-0d2f6a1c5e11',
      });
    });

    it('GetCookie carries one DssTargeting authorization cookie and protocol version 1.20', () => {
      for (const key of ['exchanges/000003', 'exchanges-client/000003', 'exchanges-client/001043']) {
        const message = requestOf(key, 'GetCookie');
        expect(message.protocolVersion).to.equal('1.20');
        expect(message.oldCookie).to.equal(undefined);
        expect(message.authCookies).to.have.length(1);
        expect(message.authCookies[0]!.plugInId).to.equal('DssTargeting');
        expect(message.authCookies[0]!.cookieData).to.match(/^A{100,}=*$/); // sanitised base64
      }
    });

    it('GetConfigData carries the cookie and, on a repeat call, the previous configAnchor', () => {
      const withAnchor = requestOf('exchanges/000004', 'GetConfigData');
      expect(withAnchor.cookie!.expiration).to.equal('2026-10-04T20:33:26.65455Z');
      expect(withAnchor.cookie!.encryptedData).to.match(/^A+==$/);
      expect(withAnchor.configAnchor).to.equal('9438,2026-10-04 16:09:27.167');
      const first = requestOf('exchanges/000005', 'GetConfigData');
      expect(first.cookie).to.not.equal(undefined);
      expect(first).to.not.have.property('configAnchor');
      expect(requestOf('exchanges-client/000004', 'GetConfigData').cookie!.expiration).to.equal('2026-10-04T20:09:27.0519972Z');
      expect(requestOf('exchanges-client/000623', 'GetConfigData').configAnchor).to.equal('9438,2026-10-04 16:25:05.749');
      expect(requestOf('exchanges-client/001044', 'GetConfigData').configAnchor).to.equal('9438,2026-10-04 16:25:43.750');
    });

    it('GetRevisionIdList carries the filter: anchor, GetConfig, categories and classifications with Delta', () => {
      const filters: Record<string, object> = {
        'exchanges/000006': { getConfig: true },
        'exchanges/000007': { getConfig: false, categories: [{ id: PRODUCT_DEFENDER, delta: false }] },
        'exchanges/000008': { getConfig: false, categories: [{ id: PRODUCT_DEFENDER, delta: false }], classifications: [{ id: SECURITY_UPDATES, delta: false }] },
        'exchanges/000009': { getConfig: false, ...productAndDefinitions(false) },
        'exchanges/000010': { anchor: '9438,2026-10-04 16:09:27.371', getConfig: false, ...productAndDefinitions(false) },
        'exchanges/000011': { anchor: '9438,2026-10-04 16:09:27.371', getConfig: false, ...productAndDefinitions(true) },
        'exchanges/000012': { anchor: '9438,2026-10-04 16:09:27.371', getConfig: false },
        'exchanges/000018': { anchor: 'garbage', getConfig: false },
        'exchanges/000019': { getConfig: true },
        'exchanges-client/000005': { getConfig: true },
        'exchanges-client/000006': { getConfig: false },
        'exchanges-client/000013': { getConfig: false, ...productAndDefinitions(false) },
        'exchanges-client/000624': { anchor: '9438,2026-10-04 16:25:05.792', getConfig: true },
        'exchanges-client/000625': { anchor: '9438,2026-10-04 16:25:05.902', getConfig: false, ...productAndDefinitions(false) },
        'exchanges-client/001045': { anchor: '9438,2026-10-04 16:25:43.793', getConfig: true },
        'exchanges-client/001046': { anchor: '9438,2026-10-04 16:25:43.836', getConfig: false, ...productAndDefinitions(true) },
      };
      for (const [key, filter] of Object.entries(filters)) {
        expect(requestOf(key, 'GetRevisionIdList').filter, key).to.deep.equal(filter);
      }
      expect(requestOf('exchanges/000010', 'GetRevisionIdList').cookie!.expiration).to.equal('2026-10-04T20:33:26.65455Z');
      expect(requestOf('exchanges-client/000013', 'GetRevisionIdList').cookie!.expiration).to.equal('2026-10-04T20:17:57.1239059Z');
    });

    it('GetRevisionIdList without a cookie (000019) still parses, so the server can answer InvalidCookie', () => {
      expect(requestOf('exchanges/000019', 'GetRevisionIdList')).to.not.have.property('cookie');
    });

    it('the anchor of 000018 reads as a string and is refused by parseAnchor', () => {
      const anchor = requestOf('exchanges/000018', 'GetRevisionIdList').filter.anchor!;
      expectDataError(() => parseAnchor(anchor), 'SoapInvalidAnchor');
    });

    it('GetUpdateData carries the requested revisions', () => {
      const ids: Record<string, [string, number]> = {
        'exchanges/000013': ['a2fef9b0-7951-4c2c-a42b-9e351dd1c1fe', 200],
        'exchanges/000014': ['266f6222-c89d-43f2-9f8a-69340271e677', 200],
        'exchanges/000015': ['ccb78947-6453-4ecc-9de8-bc0305c98f2d', 200],
        'exchanges/000016': ['56309036-4c77-4dd9-951a-99ee9c246a94', 101],
        'exchanges/000017': ['00000000-0000-0000-0000-000000000001', 1],
      };
      for (const [key, [updateId, revisionNumber]] of Object.entries(ids)) {
        const message = requestOf(key, 'GetUpdateData');
        expect(message.updateIds, key).to.deep.equal([{ updateId, revisionNumber }]);
        expect(message.cookie!.expiration).to.equal('2026-10-04T20:33:26.65455Z');
      }
    });
  });

  describe('parseResponse on the recorded responses', () => {
    it('GetAuthConfig: DssTargeting with a relative ServiceUrl and an empty Parameter', () => {
      for (const key of ['exchanges/000001', 'exchanges-client/000001', 'exchanges-client/001041']) {
        expect(responseOf(key, 'GetAuthConfig')).to.deep.equal({
          operation: 'GetAuthConfig',
          lastChange: '2026-10-04T13:16:35.433Z',
          authInfo: [{ plugInID: 'DssTargeting', serviceUrl: 'DssAuthWebService/DssAuthWebService.asmx', parameter: '' }],
        });
      }
    });

    it('GetAuthorizationCookie: a DssTargeting cookie', () => {
      for (const key of ['exchanges/000002', 'exchanges-client/000002', 'exchanges-client/001042']) {
        const message = responseOf(key, 'GetAuthorizationCookie');
        expect(message.plugInId).to.equal('DssTargeting');
        expect(message.cookieData).to.match(/^A{500,}$/);
      }
    });

    it('GetCookie: a cookie expiring 240 minutes after the call, with up to 7 fraction digits', () => {
      const expected: Record<string, string> = {
        'exchanges/000003': '2026-10-04T20:33:26.65455Z',
        'exchanges-client/000003': '2026-10-04T20:09:27.0519972Z',
        'exchanges-client/001043': '2026-10-04T20:28:07.1943266Z',
      };
      for (const [key, expiration] of Object.entries(expected)) {
        const { cookie } = responseOf(key, 'GetCookie');
        expect(cookie.expiration).to.equal(expiration);
        expect(cookie.encryptedData).to.match(/^A+==$/);
        const minutes = (parseDateTime(cookie.expiration).getTime() - Date.parse(exchange(key).timestamp)) / 60_000;
        expect(Math.round(minutes)).to.equal(240);
      }
    });

    it('GetConfigData, short answer to a repeat call (000004): limits, LazySync, no languages', () => {
      expect(responseOf('exchanges/000004', 'GetConfigData')).to.deep.equal({
        operation: 'GetConfigData',
        catalogOnlySync: false,
        lazySync: true,
        serverHostsPsfFiles: false,
        maxNumberOfComputerIdsInRequest: 0,
        maxNumberOfDriverSetsPerRequest: 0,
        maxNumberOfPnpHardwareIdsInRequest: 0,
        maxNumberOfUpdatesPerRequest: 100,
        newConfigAnchor: '9438,2026-10-04 16:33:26.668',
        protocolVersion: '1.20',
        languages: [],
        maxUpdatesPerRequestInGetUpdateDecryptionData: 100,
      });
      expect(responseOf('exchanges-client/000623', 'GetConfigData').newConfigAnchor).to.equal('9438,2026-10-04 16:25:43.750');
      expect(responseOf('exchanges-client/001044', 'GetConfigData').newConfigAnchor).to.equal('9438,2026-10-04 16:28:07.282');
    });

    it('GetConfigData, full answer (000005): 39 languages, "all" first, only English enabled', () => {
      for (const [key, anchor] of [
        ['exchanges/000005', '9438,2026-10-04 16:33:26.670'],
        ['exchanges-client/000004', '9438,2026-10-04 16:09:27.167'],
      ] as const) {
        const message = responseOf(key, 'GetConfigData');
        expect(message.newConfigAnchor).to.equal(anchor);
        expect(message.maxNumberOfUpdatesPerRequest).to.equal(100);
        expect(message.protocolVersion).to.equal('1.20');
        expect(message.lazySync).to.equal(true);
        expect(message.languages).to.have.length(39);
        expect(message.languages[0]).to.deep.equal({ languageId: 0, shortLanguage: 'all', longLanguage: 'all', enabled: false });
        expect(message.languages.filter((l) => l.enabled)).to.deep.equal([{ languageId: 1033, shortLanguage: 'en', longLanguage: 'English', enabled: true }]);
        expect(message.languages.at(-1)).to.deep.equal({ languageId: 66577, shortLanguage: 'ja-nec', longLanguage: 'Japanese NEC', enabled: false });
        expect(message).to.not.have.property('properties');
      }
    });

    it('GetRevisionIdList: the new anchor and the revisions (30 in the trimmed answers)', () => {
      const categories = { first: { updateId: 'e6cf1350-c01b-414d-a61f-263d14d133b4', revisionNumber: 100 }, last: { updateId: '7c40e8c2-01ae-47f5-9af2-6e75a0582518', revisionNumber: 2 } };
      const updates = { first: { updateId: '8c55755c-2b9d-48cc-be8b-aedbf20911ec', revisionNumber: 201 }, last: { updateId: 'a88bc768-7f57-42ba-b9b2-086f5c7c0b8b', revisionNumber: 200 } };
      const lists: Record<string, [string, typeof categories]> = {
        'exchanges/000006': ['9438,2026-10-04 16:33:26.671', categories],
        'exchanges/000009': ['9438,2026-10-04 16:33:26.750', updates],
        'exchanges/000010': ['9438,2026-10-04 16:33:26.799', updates],
        'exchanges-client/000005': ['9438,2026-10-04 16:09:27.227', categories],
        'exchanges-client/000006': ['9438,2026-10-04 16:09:27.371', updates],
        'exchanges-client/000013': ['9438,2026-10-04 16:17:57.349', updates],
        'exchanges-client/000625': ['9438,2026-10-04 16:25:43.836', updates],
      };
      for (const [key, [anchor, { first, last }]] of Object.entries(lists)) {
        const message = responseOf(key, 'GetRevisionIdList');
        expect(message.anchor, key).to.equal(anchor);
        expect(message.newRevisions, key).to.have.length(30);
        expect(message.newRevisions[0]).to.deep.equal(first);
        expect(message.newRevisions[29]).to.deep.equal(last);
      }
    });

    it('GetRevisionIdList: empty lists (<NewRevisions />) still carry the new anchor', () => {
      const empty: Record<string, string> = {
        'exchanges/000007': '9438,2026-10-04 16:33:26.734',
        'exchanges/000008': '9438,2026-10-04 16:33:26.742',
        'exchanges/000011': '9438,2026-10-04 16:33:26.848',
        'exchanges/000012': '9438,2026-10-04 16:33:26.850',
        'exchanges-client/000624': '9438,2026-10-04 16:25:43.793',
        'exchanges-client/001045': '9438,2026-10-04 16:28:07.324',
        'exchanges-client/001046': '9438,2026-10-04 16:28:07.367',
      };
      for (const [key, anchor] of Object.entries(empty)) {
        expect(responseOf(key, 'GetRevisionIdList'), key).to.deep.equal({ operation: 'GetRevisionIdList', anchor, newRevisions: [] });
      }
    });

    it('GetUpdateData: compressed blobs are base64 Cabinets (MSCF), kept as text', () => {
      for (const [key, updateId, revisionNumber] of [
        ['exchanges/000013', 'a2fef9b0-7951-4c2c-a42b-9e351dd1c1fe', 200],
        ['exchanges/000016', '56309036-4c77-4dd9-951a-99ee9c246a94', 101],
      ] as const) {
        const message = responseOf(key, 'GetUpdateData');
        expect(message.updates).to.have.length(1);
        const [update] = message.updates;
        expect(update).to.include({ updateId, revisionNumber });
        expect(update).to.not.have.property('xmlUpdateBlob');
        expect(update!.fileDigestList).to.deep.equal([]);
        expect(Buffer.from(update!.xmlUpdateBlobCompressed!, 'base64').subarray(0, 4).toString('latin1')).to.equal('MSCF');
        expect(message.fileUrls).to.deep.equal([]);
      }
    });

    it('GetUpdateData 000014: a leaf with one file digest and its Microsoft Update URL', () => {
      const message = responseOf('exchanges/000014', 'GetUpdateData');
      const digest = 'h/W9BGlYUAaqXTp30cZi/SiV3c0=';
      expect(message.updates[0]).to.include({ updateId: '266f6222-c89d-43f2-9f8a-69340271e677', revisionNumber: 200 });
      expect(message.updates[0]!.fileDigestList).to.deep.equal([digest]);
      expect(message.updates[0]!.xmlUpdateBlobCompressed).to.match(/^TVNDRg/);
      expect(message.fileUrls).to.deep.equal([
        {
          fileDigest: digest,
          muUrl: 'http://download.windowsupdate.com/c/msdownload/update/software/defu/2026/10/am_delta_87f5bd0469585006aa5d3a77d1c662fd2895ddcd.exe',
          ussUrl: '',
        },
      ]);
    });

    it('GetUpdateData 000015: the plain blob is entity-decoded to the exact update document', () => {
      const [update] = responseOf('exchanges/000015', 'GetUpdateData').updates;
      expect(update).to.not.have.property('xmlUpdateBlobCompressed');
      const document = readFileSync(path.join(wsusssRecorded, 'docs', 'ccb78947-6453-4ecc-9de8-bc0305c98f2d-r200.xml'), 'utf8');
      expect(update!.xmlUpdateBlob).to.equal(document);
      expect(update!.xmlUpdateBlob).to.match(/^<upd:Update xmlns:pub="/);
    });

    const faults: [string, WsusErrorCode, string, string, string][] = [
      ['exchanges/000017', 'InternalServerError', '', 'soap:Server', 'b6114a8d-9939-41e0-ad7f-0d9a72260804'],
      ['exchanges/000018', 'InvalidParameters', 'filter', 'soap:Client', '94327110-fc7e-4c3c-878d-186ab273d9fd'],
      ['exchanges/000019', 'InvalidCookie', '', 'soap:Client', '6ea693bc-a66e-4334-a797-043728561c7d'],
    ];
    for (const [key, errorCode, message, faultcode, id] of faults) {
      it(`${key}: the HTTP 500 fault body throws SoapFaultError ${errorCode}`, () => {
        expect(exchange(key).status).to.equal(500);
        const error = faultOf(key);
        expect(error.faultCode).to.equal(errorCode);
        expect(error.faultMessage).to.equal(message);
        expect(error.code).to.equal(`Wsus${errorCode}`);
        expect(error.transient).to.equal(false);
        expect(error.data).to.deep.equal({
          faultcode,
          faultstring: 'Fault occurred',
          actor: 'http://127.0.0.1:8530/ServerSyncWebService/ServerSyncWebService.asmx',
          id,
          method: `"http://www.microsoft.com/SoftwareDistribution/${exchange(key).operation}"`,
        });
      });
    }

    it('a fault without a detail ErrorCode (plain ASP.NET) throws with the SOAP faultcode', () => {
      const body =
        '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault>' +
        '<faultcode>soap:Client</faultcode><faultstring>Server was unable to read request.</faultstring><detail /></soap:Fault></soap:Body></soap:Envelope>';
      const error = caught(() => parseResponse('GetCookie', body)) as SoapFaultError;
      expect(error).to.be.instanceOf(SoapFaultError);
      expect(error.faultCode).to.equal('Client');
      expect(error.faultMessage).to.equal('Server was unable to read request.');
    });
  });

  describe('written messages have the recorded structure', () => {
    for (const e of exchanges) {
      it(`${e.key}: buildRequest(parseRequest(request)) has the recorded structure, byte for byte`, () => {
        const built = buildRequest(parseRequest(e.request, e.soapAction)).body;
        expect(structuralDiff(built, e.request)).to.deep.equal([]);
        expect(built).to.equal(e.request);
      });
      if (faultKeys.includes(e.key)) continue;
      it(`${e.key}: buildResponse(parseResponse(response)) has the recorded structure, byte for byte`, () => {
        const built = buildResponse(parseResponse(e.operation, e.response));
        expect(structuralDiff(built, e.response)).to.deep.equal([]);
        expect(built).to.equal(e.response);
      });
    }

    for (const key of faultKeys) {
      it(`${key}: buildFault gives the recorded fault, byte for byte`, () => {
        const error = faultOf(key);
        const data = error.data as { actor: string; id: string; method: string };
        const built = buildFault({ errorCode: error.faultCode as WsusErrorCode, message: error.faultMessage, actor: data.actor, id: data.id, method: data.method });
        expect(structuralDiff(built, exchange(key).response)).to.deep.equal([]);
        expect(built).to.equal(exchange(key).response);
      });
    }

    it('buildFault writes an operation name as its quoted SOAPAction and makes up a fault ID', () => {
      const built = buildFault({ errorCode: 'InvalidParameters', message: 'filter', actor: 'http://127.0.0.1:8530/ServerSyncWebService/ServerSyncWebService.asmx', method: 'GetRevisionIdList' });
      expect(structuralDiff(built, exchange('exchanges/000018').response)).to.deep.equal([]);
      const error = caught(() => parseResponse('GetRevisionIdList', built)) as SoapFaultError;
      expect(error.faultCode).to.equal('InvalidParameters');
      const data = error.data as { id: string; method: string };
      expect(data.method).to.equal('"http://www.microsoft.com/SoftwareDistribution/GetRevisionIdList"');
      expect(data.id).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(buildFault({ errorCode: 'ServerBusy', message: '', actor: 'x' })).to.contain('<faultcode>soap:Server</faultcode>');
    });

    it('GetAuthorizationCookie goes to the DSS endpoint with the DSS SOAPAction, the rest to ServerSync', () => {
      expect(buildRequest({ operation: 'GetAuthorizationCookie', accountName: 'a.invalid', accountGuid: randomUUID() })).to.include({
        soapAction: '"http://www.microsoft.com/SoftwareDistribution/Server/DssAuthWebService/GetAuthorizationCookie"',
        path: '/DssAuthWebService/DssAuthWebService.asmx',
      });
      expect(buildRequest({ operation: 'GetAuthConfig' })).to.include({
        soapAction: '"http://www.microsoft.com/SoftwareDistribution/GetAuthConfig"',
        path: '/ServerSyncWebService/ServerSyncWebService.asmx',
      });
    });

    it('round-trips what the recordings do not show: oldCookie, Get63LanguageOnly, Languages, empty arrays, plain blobs with CR and &', () => {
      const cookie = { expiration: '2026-10-04T20:33:26.65455Z', encryptedData: 'AAAA' };
      const requests: RequestMessage[] = [
        { operation: 'GetCookie', authCookies: [{ plugInId: 'DssTargeting', cookieData: 'AAAA' }], oldCookie: cookie, protocolVersion: '1.20' },
        {
          operation: 'GetRevisionIdList',
          cookie,
          filter: { anchor: '1,2026-01-01 00:00:00.000', getConfig: false, get63LanguageOnly: false, categories: [], classifications: [{ id: SECURITY_UPDATES, delta: true }], languages: [{ id: 1033, delta: true }] },
        },
        { operation: 'GetUpdateData', cookie, updateIds: [] },
      ];
      for (const request of requests) {
        expect(parseRequest(buildRequest(request).body)).to.deep.equal(request);
      }
      const oldCookie = buildRequest(requests[0]!).body;
      expect(oldCookie).to.contain('</authCookies><oldCookie><Expiration>2026-10-04T20:33:26.65455Z</Expiration><EncryptedData>AAAA</EncryptedData></oldCookie><protocolVersion>');

      const blob = '<upd:Update a="x &amp; &quot;y&quot;">line 1\r\nline 2 &#xD; A&B</upd:Update>';
      const response: ResponseOf<'GetUpdateData'> = {
        operation: 'GetUpdateData',
        updates: [{ updateId: SECURITY_UPDATES, revisionNumber: 7, xmlUpdateBlob: blob, fileDigestList: ['a', 'b'] }],
        fileUrls: [{ fileDigest: 'a' }],
      };
      expect(parseResponse('GetUpdateData', buildResponse(response))).to.deep.equal(response);
      const config = { ...responseOf('exchanges/000004', 'GetConfigData'), properties: { FutureSetting: 'on' } };
      expect(parseResponse('GetConfigData', buildResponse(config))).to.deep.equal(config);
    });

    it('decodes numeric character references in text (a .NET writer entitizes CR)', () => {
      const body = exchange('exchanges/000015').response.replace('&lt;upd:Title&gt;HIDDEN', '&lt;upd:Title&gt;&#x48;&#73;DDEN&#xD;&amp;#65;');
      const [update] = parseResponse('GetUpdateData', body).updates;
      expect(update!.xmlUpdateBlob).to.contain('<upd:Title>HIDDEN\r&#65;: Defender');
    });

    it('reads any namespace prefixes, including WCF style (s:, i:) from the unverified hand-written fixture', () => {
      const e = exchange('exchanges/000013');
      const prefixed = e.request
        .replaceAll('soap:', 's:')
        .replace('xmlns:soap=', 'xmlns:s=')
        .replace('<GetUpdateData xmlns="http://www.microsoft.com/SoftwareDistribution">', '<w:GetUpdateData xmlns:w="http://www.microsoft.com/SoftwareDistribution">')
        .replace('</GetUpdateData>', '</w:GetUpdateData>')
        .replace(/<(\/?)(cookie|Expiration|EncryptedData|updateIds|UpdateIdentity|UpdateID|RevisionNumber)>/g, '<$1w:$2>');
      expect(prefixed).to.contain('<w:UpdateID>');
      expect(parseRequest(prefixed)).to.deep.equal(parseRequest(e.request));

      const handWritten = readFileSync(path.join(wsusssRecorded, '..', 'hand-written', 'microsoft_sync_config_20261006.xml'), 'utf8');
      const config = parseResponse('GetConfigData', handWritten);
      expect(config).to.include({ catalogOnlySync: true, protocolVersion: '1.21', maxNumberOfUpdatesPerRequest: 100, maxUpdatesPerRequestInGetUpdateDecryptionData: 500 });
      expect(config.languages).to.have.length(39);
      // Its anchor lacks the Windows serial: clients must treat anchors as opaque text.
      expect(config.newConfigAnchor).to.equal('2026-10-05 17:27:44.393');
      expectDataError(() => parseAnchor(config.newConfigAnchor!), 'SoapInvalidAnchor');
    });
  });

  describe('bad input gives typed errors with stable codes', () => {
    const request = exchange('exchanges/000013').request;
    const revisionList = exchange('exchanges/000009').response;

    it('truncated or not well-formed envelopes → XmlMalformed', () => {
      expectDataError(() => parseRequest(request.slice(0, request.length / 2)), 'XmlMalformed');
      expectDataError(() => parseResponse('GetRevisionIdList', revisionList.slice(0, -40)), 'XmlMalformed');
      expectDataError(() => parseResponse('GetRevisionIdList', revisionList.slice(0, revisionList.length / 2)), 'XmlMalformed');
      expectDataError(() => parseResponse('GetRevisionIdList', revisionList.replace('<RevisionNumber>200</RevisionNumber>', '<RevisionNumber>200</Revision>')), 'XmlMalformed');
      expectDataError(() => parseResponse('GetAuthConfig', ''), 'XmlMalformed');
    });

    it('a DTD (entity expansion) → XmlDtdRefused', () => {
      const dtd = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>';
      expectDataError(() => parseRequest(request.replace('<?xml version="1.0" encoding="utf-8"?>', dtd)), 'XmlDtdRefused');
      expectDataError(() => parseResponse('GetRevisionIdList', revisionList.replace('<?xml version="1.0" encoding="utf-8"?>', dtd)), 'XmlDtdRefused');
    });

    it('another envelope namespace (SOAP 1.2) → SoapWrongNamespace', () => {
      const soap12 = (xml: string) => xml.replace('http://schemas.xmlsoap.org/soap/envelope/', 'http://www.w3.org/2003/05/soap-envelope');
      expectDataError(() => parseRequest(soap12(request)), 'SoapWrongNamespace');
      expectDataError(() => parseResponse('GetRevisionIdList', soap12(revisionList)), 'SoapWrongNamespace');
    });

    it('an operation element in the wrong namespace → SoapWrongNamespace', () => {
      expectDataError(() => parseRequest(request.replace(`<GetUpdateData xmlns="${WSUS_NS}">`, `<GetUpdateData xmlns="${DSS_AUTH_NS}">`)), 'SoapWrongNamespace', 'GetUpdateData');
      const dss = exchange('exchanges/000002');
      expectDataError(() => parseRequest(dss.request.replace(DSS_AUTH_NS, WSUS_NS)), 'SoapWrongNamespace', 'GetAuthorizationCookie');
      expectDataError(() => parseResponse('GetAuthorizationCookie', dss.response.replace(DSS_AUTH_NS, WSUS_NS)), 'SoapWrongNamespace');
      expectDataError(() => parseResponse('GetRevisionIdList', revisionList.replace(`xmlns="${WSUS_NS}"`, 'xmlns="urn:other"')), 'SoapWrongNamespace');
    });

    it('an unknown operation → SoapUnknownOperation; a SOAPAction naming another one → SoapActionMismatch', () => {
      // RollupComputers is a reporting operation a SUP endpoint does not serve.
      const rollup = buildRequest({ operation: 'GetAuthConfig' }).body.replace('<GetAuthConfig ', '<RollupComputers ');
      expectDataError(() => parseRequest(rollup), 'SoapUnknownOperation', 'RollupComputers');
      expectDataError(() => parseRequest(request, '"http://www.microsoft.com/SoftwareDistribution/GetCookie"'), 'SoapActionMismatch');
      expect(parseRequest(request, 'http://www.microsoft.com/SoftwareDistribution/GetUpdateData').operation).to.equal('GetUpdateData');
      expect(parseRequest(request, '""').operation).to.equal('GetUpdateData');
    });

    it('a response for another operation → SoapUnexpectedResponse', () => {
      expectDataError(() => parseResponse('GetConfigData', exchange('exchanges/000003').response), 'SoapUnexpectedResponse');
    });

    it('not an envelope, an empty body, two body elements, an undeclared prefix → SoapMalformed', () => {
      expectDataError(() => parseRequest('<GetAuthConfig xmlns="http://www.microsoft.com/SoftwareDistribution"/>'), 'SoapMalformed');
      const envelope = (content: string) => `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>${content}</soap:Body></soap:Envelope>`;
      expectDataError(() => parseRequest(envelope('')), 'SoapMalformed');
      expectDataError(() => parseRequest(envelope(`<GetAuthConfig xmlns="${WSUS_NS}"/><GetCookie xmlns="${WSUS_NS}"/>`)), 'SoapMalformed');
      expectDataError(() => parseRequest(envelope('<w:GetAuthConfig/>')), 'SoapMalformed');
    });

    it('a non-GUID update id → SoapInvalidValue naming the parameter (request and both response paths)', () => {
      expectDataError(() => parseRequest(request.replace('a2fef9b0-7951-4c2c-a42b-9e351dd1c1fe', 'not-a-guid')), 'SoapInvalidValue', 'updateIds');
      expectDataError(() => parseResponse('GetRevisionIdList', revisionList.replace('8c55755c-2b9d-48cc-be8b-aedbf20911ec', '8c55755c-2b9d')), 'SoapInvalidValue', 'GetRevisionIdListResult');
      const filter = exchange('exchanges/000009').request.replace(PRODUCT_DEFENDER, 'Defender');
      expectDataError(() => parseRequest(filter), 'SoapInvalidValue', 'filter');
    });

    it('a negative or out-of-range revision number → SoapInvalidValue', () => {
      expectDataError(() => parseRequest(request.replace('<RevisionNumber>200<', '<RevisionNumber>-1<')), 'SoapInvalidValue', 'updateIds');
      expectDataError(() => parseResponse('GetRevisionIdList', revisionList.replace('<RevisionNumber>201<', '<RevisionNumber>-201<')), 'SoapInvalidValue');
      expectDataError(() => parseResponse('GetRevisionIdList', revisionList.replace('<RevisionNumber>201<', '<RevisionNumber>2147483648<')), 'SoapInvalidValue');
    });

    it('a bad boolean, a bad Expiration, a missing required element → SoapInvalidValue / SoapMalformed', () => {
      const filterRequest = exchange('exchanges/000011').request;
      expectDataError(() => parseRequest(filterRequest.replace('<Delta>true</Delta>', '<Delta>yes</Delta>')), 'SoapInvalidValue', 'filter');
      expectDataError(() => parseRequest(filterRequest.replace('2026-10-04T20:33:26.65455Z', 'tomorrow')), 'SoapInvalidValue', 'cookie');
      expectDataError(() => parseRequest(filterRequest.replace(/<filter>.*<\/filter>/, '')), 'SoapInvalidValue', 'filter');
      expectDataError(() => parseResponse('GetRevisionIdList', exchange('exchanges/000007').response.replace('<NewRevisions />', '')), 'SoapMalformed');
      expectDataError(() => parseResponse('GetConfigData', exchange('exchanges/000004').response.replace(/<MaxNumberOfUpdatesPerRequest>100<\/MaxNumberOfUpdatesPerRequest>/, '')), 'SoapMalformed');
    });

    it('an update with both blobs or none → SoapMalformed', () => {
      const leaf = exchange('exchanges/000015').response;
      expectDataError(() => parseResponse('GetUpdateData', leaf.replace(/<XmlUpdateBlob>.*<\/XmlUpdateBlob>/, '')), 'SoapMalformed');
      expectDataError(() => parseResponse('GetUpdateData', leaf.replace('</XmlUpdateBlob>', '</XmlUpdateBlob><XmlUpdateBlobCompressed>TVNDRg==</XmlUpdateBlobCompressed>')), 'SoapMalformed');
    });

    it('building with a bad GUID, a negative revision or two blobs → InvalidArgumentError SoapInvalidValue', () => {
      const building = [
        () => buildRequest({ operation: 'GetUpdateData', updateIds: [{ updateId: 'x', revisionNumber: 1 }] }),
        () => buildRequest({ operation: 'GetUpdateData', updateIds: [{ updateId: SECURITY_UPDATES, revisionNumber: -1 }] }),
        () => buildRequest({ operation: 'GetRevisionIdList', filter: { getConfig: false, categories: [{ id: 'Defender', delta: false }] } }),
        () => buildResponse({ operation: 'GetRevisionIdList', anchor: 'a', newRevisions: [{ updateId: SECURITY_UPDATES, revisionNumber: 1.5 }] }),
        () => buildResponse({ operation: 'GetUpdateData', updates: [{ updateId: SECURITY_UPDATES, revisionNumber: 1, xmlUpdateBlob: 'a', xmlUpdateBlobCompressed: 'b', fileDigestList: [] }], fileUrls: [] }),
      ];
      for (const build of building) {
        const error = caught(build);
        expect(error).to.be.instanceOf(InvalidArgumentError);
        expect((error as InvalidArgumentError).code).to.equal('SoapInvalidValue');
      }
    });
  });

  describe('anchors and date-times', () => {
    it('parses and re-formats every anchor in the recordings', () => {
      const anchors = new Set<string>();
      for (const e of exchanges) {
        for (const match of (e.request + e.response).matchAll(/<(?:Anchor|NewConfigAnchor|configAnchor)>([^<]*)</g)) anchors.add(match[1]!);
      }
      anchors.delete('garbage'); // exchange 000018's deliberately bad anchor
      expect(anchors.size).to.be.greaterThan(20);
      for (const anchor of anchors) {
        const parsed = parseAnchor(anchor);
        expect(parsed.serial).to.equal(9438);
        expect(formatAnchor(parsed)).to.equal(anchor);
      }
      expect(parseAnchor('9438,2026-10-04 16:33:26.671').time.toISOString()).to.equal('2026-10-04T16:33:26.671Z');
      expect(formatAnchor({ serial: 1, time: new Date(Date.UTC(2027, 0, 2, 3, 4, 5, 6)) })).to.equal('1,2027-01-02 03:04:05.006');
    });

    it('refuses malformed anchors with InvalidDataError SoapInvalidAnchor', () => {
      for (const bad of ['garbage', '', '0,2026-10-04 16:33:26.671', '9438,2026-02-30 16:33:26.671', '9438,2026-10-04 16:33:26', '9438,2026-10-04T16:33:26.671', '9438, 2026-10-04 16:33:26.671', '99999999999,2026-10-04 16:33:26.671']) {
        expectDataError(() => parseAnchor(bad), 'SoapInvalidAnchor');
      }
      expect(caught(() => formatAnchor({ serial: 0, time: new Date() }))).to.be.instanceOf(InvalidArgumentError);
    });

    it('reads xsd:dateTime with 0 to 7 fraction digits and zones; writes the Windows shape', () => {
      expect(parseDateTime('2026-10-04T20:28:07.1943266Z').toISOString()).to.equal('2026-10-04T20:28:07.194Z');
      expect(parseDateTime('2026-10-04T20:33:26.65455Z').toISOString()).to.equal('2026-10-04T20:33:26.654Z');
      expect(parseDateTime('2026-10-04T22:33:26+02:00').toISOString()).to.equal('2026-10-04T20:33:26.000Z');
      expect(formatDateTime(new Date('2026-10-04T13:16:35.433Z'))).to.equal('2026-10-04T13:16:35.433Z');
      expect(formatDateTime(new Date('2026-10-04T13:16:35.500Z'))).to.equal('2026-10-04T13:16:35.5Z');
      expect(formatDateTime(new Date('2026-10-04T13:16:35.000Z'))).to.equal('2026-10-04T13:16:35Z');
      for (const bad of ['2026-13-04T00:00:00Z', '2026-10-04 20:28:07Z', 'tomorrow']) expectDataError(() => parseDateTime(bad), 'SoapInvalidValue');
    });
  });

  describe('scale', () => {
    const makeRevisions = (count: number) => Array.from({ length: count }, (_, i) => ({ updateId: randomUUID(), revisionNumber: 1 + (i % 500) }));

    it('builds a 100,000-revision GetRevisionIdList answer and reads it back exactly', () => {
      const message: ResponseOf<'GetRevisionIdList'> = { operation: 'GetRevisionIdList', anchor: '9438,2026-10-04 16:33:26.750', newRevisions: makeRevisions(100_000) };
      const xml = buildResponse(message);
      expect(xml.length).to.be.greaterThan(12_000_000);
      expect(parseResponse('GetRevisionIdList', xml)).to.deep.equal(message);
    });

    it('reads unusual list shapes the same way: whitespace and upper case on the fast path, prefixes and comments on the full parse', () => {
      const message: ResponseOf<'GetRevisionIdList'> = { operation: 'GetRevisionIdList', anchor: '1,2026-01-01 00:00:00.000', newRevisions: makeRevisions(1_000) };
      const xml = buildResponse(message);
      const pretty = xml.replaceAll('<UpdateIdentity>', '\r\n  <UpdateIdentity>\n    ').replace(/<UpdateID>([^<]*)/g, (_, id: string) => `<UpdateID>${id.toUpperCase()}`);
      const prefixed = xml.replace('<GetRevisionIdListResponse xmlns=', '<GetRevisionIdListResponse xmlns:w="http://www.microsoft.com/SoftwareDistribution" xmlns=').replaceAll('UpdateIdentity>', 'w:UpdateIdentity>');
      const commented = xml.replace('<NewRevisions>', '<NewRevisions><!-- NewRevisions -->');
      expect(splitRevisionList(pretty)?.revisions).to.deep.equal(message.newRevisions);
      expect(splitRevisionList(prefixed)).to.equal(undefined);
      expect(splitRevisionList(commented)).to.equal(undefined);
      for (const variant of [pretty, prefixed, commented]) {
        expect(parseResponse('GetRevisionIdList', variant)).to.deep.equal(message);
      }
    });
  });
});
