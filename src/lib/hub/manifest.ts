// The list of models the app ships in static/models/<id>/. It is generated from the
// folders themselves at dev/build time (see tools/manifest.ts), so it is never stale.


export interface ManifestEntry {
  /** Folder name under static/models/, also the id used in URLs. */
  id: string;
  /** 'model': config + weights + tokenizer. 'tokenizer': tokenizer files only. */
  kind: 'model' | 'tokenizer';
  /** config.json's model_type, when there is a config. */
  modelType?: string;
  /** File name → size in bytes. */
  files: Record<string, number>;
  /** First paragraph of the folder's README.md, if any. */
  description: string;
}

export interface Manifest {
  version: 1;
  models: ManifestEntry[];
}

export const MANIFEST_PATH = 'models/manifest.json';


