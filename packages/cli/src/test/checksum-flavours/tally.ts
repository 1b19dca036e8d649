// A default-exported class: a default import is `tally_js_1.default` under tsc CommonJS, `_tally.default` under jiti.
export default class Tally {
  count = 0;
  readonly seen: string[] = [];

  add(name: string): this {
    this.count += 1;
    this.seen.push(name);
    return this;
  }
}
