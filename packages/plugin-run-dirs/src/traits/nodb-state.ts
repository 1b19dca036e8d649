// Reading a controller's state out of its jsonpickle `.nodb` file, flat or nested, as the real tools do
// (`data.get("py/state", data)`), and writing the file back in the style it had.
import { writeFileAtomic } from '../file-ops.js';
import { detectStyle, PyNum, PyObj, stringifyPyJson, type PyValue } from '../json/py-json.js';
import { isFile, readPyJsonFile } from '../run-files.js';
import { runPath, type RunDirTarget } from '../target.js';

export interface NodbFile {
  rel: string;
  text: string;
  value: PyObj;
  /** The object holding the controller's attributes: "py/state" when nested, the top object when flat. */
  state: PyObj;
}

export function stateOf(value: PyObj): PyObj {
  const nested = value.get('py/state');
  return nested instanceof PyObj ? nested : value;
}

/** The `.nodb` file, or null when the run has none or it is not a JSON object. Invalid JSON is an error. */
export async function readNodb(target: RunDirTarget, rel: string): Promise<NodbFile | null> {
  if (!(await isFile(runPath(target, rel)))) return null;
  const { text, value } = await readPyJsonFile(target, rel);
  if (!(value instanceof PyObj)) return null;
  return { rel, text, value, state: stateOf(value) };
}

export async function writeNodb(target: RunDirTarget, file: NodbFile): Promise<void> {
  await writeFileAtomic(runPath(target, file.rel), stringifyPyJson(file.value, detectStyle(file.text)));
}

/** An attribute of a jsonpickle object that may itself be nested under "py/state". */
export function attr(obj: PyValue | undefined, key: string): PyValue | undefined {
  return obj instanceof PyObj ? stateOf(obj).get(key) : undefined;
}

/** Python's float(value) for the JSON values a summary holds; null when it has none. */
export function toFloat(v: PyValue | undefined): number | null {
  if (v instanceof PyNum) return v.value;
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  return null;
}
