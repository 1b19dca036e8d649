// Fresh temp run directories for tests, under TIDEMARK_TEST_TMP like every package's temp folders.
import { createTempFolder } from '@tidemark/testing';

export async function tempDir(prefix = 'tm-run-dirs-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const folder = await createTempFolder(prefix);
  return { dir: folder.path, cleanup: folder.remove };
}
