// Types for bands.js (plain JS served to the browser; typed for the Node unit tests).
export declare function bandPoints(transform: unknown, name: string, value: number): number | null;
export declare function pointsText(points: number | null): string | null;
