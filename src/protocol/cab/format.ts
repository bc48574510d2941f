/** Structure sizes, flags and limits of the [MS-CAB] format shared by the reader and the writer. */

export const SIGNATURE = Buffer.from('MSCF', 'latin1');
export const MSZIP_SIGNATURE = Buffer.from('CK', 'latin1');

/** CFHEADER without its optional reserve and cabinet-set fields. */
export const CFHEADER_SIZE = 36;
/** CFFOLDER without its reserve. */
export const CFFOLDER_SIZE = 8;
/** CFFILE without its name. */
export const CFFILE_SIZE = 16;
/** CFDATA header without its reserve. */
export const CFDATA_SIZE = 8;

export const FLAG_PREV_CABINET = 0x0001;
export const FLAG_NEXT_CABINET = 0x0002;
export const FLAG_RESERVE_PRESENT = 0x0004;

export const ATTRIBUTE_NAME_IS_UTF8 = 0x80;

export const METHOD_NONE = 0;
export const METHOD_MSZIP = 1;
export const METHOD_QUANTUM = 2;
export const METHOD_LZX = 3;

/** A CFDATA block holds at most 32 KB of uncompressed data. */
export const MAX_BLOCK_UNCOMPRESSED = 32768;
/** CB_MAX_FILENAME less the terminating NUL. */
export const MAX_NAME_BYTES = 255;
/** What we agree to hold in memory for one cabinet, far above any update metadata blob. */
export const MAX_UNCOMPRESSED_TOTAL = 256 * 1024 * 1024;
