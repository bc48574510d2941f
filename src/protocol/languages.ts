/**
 * The update languages of WSUS, as a real Windows Server 2025 WSUS lists them in GetConfigData
 * (recorded exchange 000005, taken whole: LCID, short and long name, in its order). Note `es` is
 * 1034 and `ja-nec` 66577 (0x10411), not what an LCID table alone would suggest.
 */
export interface WsusLanguage {
  lcid: number;
  short: string;
  long: string;
}

export const allLanguagesEntry: WsusLanguage = { lcid: 0, short: 'all', long: 'all' };

export const wsusLanguageTable: readonly WsusLanguage[] = [
  { lcid: 1025, short: 'ar', long: 'Arabic' },
  { lcid: 1026, short: 'bg', long: 'Bulgarian' },
  { lcid: 1028, short: 'zh-tw', long: 'Chinese (Traditional)' },
  { lcid: 1029, short: 'cs', long: 'Czech' },
  { lcid: 1030, short: 'da', long: 'Danish' },
  { lcid: 1031, short: 'de', long: 'German' },
  { lcid: 1032, short: 'el', long: 'Greek' },
  { lcid: 1033, short: 'en', long: 'English' },
  { lcid: 1034, short: 'es', long: 'Spanish' },
  { lcid: 1035, short: 'fi', long: 'Finnish' },
  { lcid: 1036, short: 'fr', long: 'French' },
  { lcid: 1037, short: 'he', long: 'Hebrew' },
  { lcid: 1038, short: 'hu', long: 'Hungarian' },
  { lcid: 1040, short: 'it', long: 'Italian' },
  { lcid: 1041, short: 'ja', long: 'Japanese' },
  { lcid: 1042, short: 'ko', long: 'Korean' },
  { lcid: 1043, short: 'nl', long: 'Dutch' },
  { lcid: 1044, short: 'no', long: 'Norwegian' },
  { lcid: 1045, short: 'pl', long: 'Polish' },
  { lcid: 1046, short: 'pt-br', long: 'Portuguese (Brazil)' },
  { lcid: 1048, short: 'ro', long: 'Romanian' },
  { lcid: 1049, short: 'ru', long: 'Russian' },
  { lcid: 1050, short: 'hr', long: 'Croatian' },
  { lcid: 1051, short: 'sk', long: 'Slovak' },
  { lcid: 1053, short: 'sv', long: 'Swedish' },
  { lcid: 1054, short: 'th', long: 'Thai' },
  { lcid: 1055, short: 'tr', long: 'Turkish' },
  { lcid: 1058, short: 'uk', long: 'Ukrainian' },
  { lcid: 1060, short: 'sl', long: 'Slovenian' },
  { lcid: 1061, short: 'et', long: 'Estonian' },
  { lcid: 1062, short: 'lv', long: 'Latvian' },
  { lcid: 1063, short: 'lt', long: 'Lithuanian' },
  { lcid: 1081, short: 'hi', long: 'Hindi' },
  { lcid: 2052, short: 'zh-cn', long: 'Chinese (Simplified)' },
  { lcid: 2070, short: 'pt', long: 'Portuguese (Portugal)' },
  { lcid: 2074, short: 'sr', long: 'Serbian (Latin)' },
  { lcid: 3076, short: 'zh-hk', long: 'Chinese (Hong Kong SAR)' },
  { lcid: 66577, short: 'ja-nec', long: 'Japanese NEC' },
];

/** The LCID WSUS uses for a short language name, or undefined. */
export function lcidOf(short: string): number | undefined {
  return wsusLanguageTable.find((l) => l.short === short.toLowerCase())?.lcid;
}
