// Every migration of the notes plugin, in order. `tidemark new` appends here.
import { m001AddTags } from './001_add_tags.js';
import { m002RenameBody } from './002_rename_body.js';
import { m003SplitTitle } from './003_split_title.js';

export { m001AddTags, m002RenameBody, m003SplitTitle };

export const migrations = [
  m001AddTags,
  m002RenameBody,
  m003SplitTitle,
];
