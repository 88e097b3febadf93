// The faulty model artifacts live in scripts/lib/faulty-artifacts.ts since the demo rolls one
// out too; this path stays for tests written against it.
export { errorProneArtifact, smokeFailingArtifact } from '../../scripts/lib/faulty-artifacts.js';
