// Types for drift.js (plain JS served to the browser; typed for the Node unit tests).
export declare const PSI_MODERATE: number;
export declare const PSI_SIGNIFICANT: number;
export declare function psiReading(psi: number | null): { state: 'ok' | 'warn' | 'bad' | 'none'; text: string };
export declare function binLabels(edges: readonly number[]): string[];
