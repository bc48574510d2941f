/**
 * A GetUpdateData answer the parse worker reads once as it starts. A fresh thread compiles and
 * interprets the reading code on its first answers, several times slower than once warm; the
 * worker starts as a large fetch sends its first requests, so doing that first read on this
 * answer takes it off the wait for the real ones (~30 ms, measured when the 20,000-update delta still
 * used the worker).
 * It takes the paths real answers take: a cabinet blob, a plain blob, every part of the document.
 */
import { encodeUpdateBlob } from './cab/index.js';
import { buildResponse } from './soap/index.js';

const ns = 'http://schemas.microsoft.com/msus/2002/12/Update';

function document(id: string, title: string): string {
  const guid = (n: number) => `${id.slice(0, -1)}${n}`;
  return (
    `<upd:Update xmlns:upd="${ns}"><upd:UpdateIdentity UpdateID="${id}" RevisionNumber="200" />` +
    '<upd:Properties UpdateType="Software" DefaultPropertiesLanguage="en" PublicationState="Published" CreationDate="2024-01-11T20:15:45.051Z" MsrcSeverity="Important">' +
    '<upd:KBArticleID>5000000</upd:KBArticleID></upd:Properties>' +
    `<upd:LocalizedPropertiesCollection><upd:LocalizedProperties><upd:Language>en</upd:Language><upd:Title>${title}</upd:Title><upd:Description>Warm-up &amp; check.</upd:Description></upd:LocalizedProperties>` +
    `<upd:LocalizedProperties><upd:Language>de</upd:Language><upd:Title>${title}</upd:Title></upd:LocalizedProperties></upd:LocalizedPropertiesCollection>` +
    `<upd:Relationships><upd:Prerequisites><upd:AtLeastOne IsCategory="true"><upd:UpdateIdentity UpdateID="${guid(1)}" /></upd:AtLeastOne><upd:UpdateIdentity UpdateID="${guid(2)}" /></upd:Prerequisites>` +
    `<upd:SupersededUpdates><upd:UpdateIdentity UpdateID="${guid(3)}" /></upd:SupersededUpdates>` +
    `<upd:BundledUpdates><upd:AtLeastOne><upd:UpdateIdentity UpdateID="${guid(4)}" RevisionNumber="200" /></upd:AtLeastOne></upd:BundledUpdates></upd:Relationships>` +
    '<upd:Files><upd:File Digest="h/W9BGlYUAaqXTp30cZi/SiV3c0=" DigestAlgorithm="SHA1" FileName="warm-up.cab" Size="1024" Modified="2024-01-11T20:15:45.051Z">' +
    '<upd:AdditionalDigest Algorithm="SHA256">47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=</upd:AdditionalDigest></upd:File></upd:Files></upd:Update>'
  );
}

export function warmUpAnswer(): string {
  const compressed = '00000000-0000-4000-8000-000000000000';
  const plain = '00000000-0000-4000-8000-000000000010';
  return buildResponse({
    operation: 'GetUpdateData',
    updates: [
      { updateId: compressed, revisionNumber: 200, fileDigestList: ['h/W9BGlYUAaqXTp30cZi/SiV3c0='], xmlUpdateBlobCompressed: encodeUpdateBlob(document(compressed, 'Warm-up (compressed)')) },
      { updateId: plain, revisionNumber: 200, fileDigestList: [], xmlUpdateBlob: document(plain, 'Warm-up') },
    ],
    fileUrls: [{ fileDigest: 'h/W9BGlYUAaqXTp30cZi/SiV3c0=', muUrl: 'http://download.windowsupdate.com/warm-up.cab', ussUrl: '' }],
  });
}
