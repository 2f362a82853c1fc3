/** One benchmark file: `run-all.ts` runs every suite in sequence and prints what each returns. */
export interface BenchSuite {
  name: string;
  description: string;
  run(): Promise<void>;
}
