// Public surface of the OCI client.
export { pullChart, listChartVersions, type PullOptions, type PulledChart } from './pull.js';
export { connect, type ConnectOptions } from './session.js';
export { RegistryClient } from './client.js';
export { buildChartArtifact, decidePush, sha256Digest, MEDIA_TYPES, type ChartArtifact } from './artifact.js';
export { parseOciBase, parseChartRepository, chartRepository, tagForVersion, versionForTag, formatReference } from './reference.js';
export { readArchiveChart, type ChartMetadata } from './archive-metadata.js';
export { resolveCredentials, ENV_USERNAME, ENV_PASSWORD, type Credentials } from './credentials.js';
