/** Configuration export / import as JSON (`comradarr-config`, format.ts). */
export * from './export';
export * from './format';
export * from './import';
