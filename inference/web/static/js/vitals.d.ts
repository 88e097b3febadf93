// Types for vitals.js (plain JS served to the browser; typed for the Node unit tests).
export type VitalName = 'heartRate' | 'systolicBP' | 'diastolicBP' | 'temperature' | 'oxygenSaturation';
export type PatientVitals = Record<VitalName, number>;
export interface FeatureRange {
  name: string;
  min: number;
  max: number;
}
export declare const EXAMPLES: Readonly<{ healthy: Readonly<PatientVitals>; critical: Readonly<PatientVitals> }>;
export declare function randomVitals(features: readonly FeatureRange[], random?: () => number): PatientVitals;
