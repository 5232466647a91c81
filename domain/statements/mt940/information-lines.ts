/**
 * The :86: lines of an entry (continuation lines and repeated :86: tags, in order), kept as the places in the
 * text they were read from: a line is only cut out when a reader needs it as a string, and the structured form
 * of Dutch banks is read in place (see codewords.ts). One object serves every entry of a statement in turn.
 */
export class InformationLines {
  count = 0;
  /** Line i is texts[i] from starts[i] to ends[i]; only the first `count` are the entry's. */
  readonly texts: string[] = [];
  readonly starts: number[] = [];
  readonly ends: number[] = [];

  add(text: string, start: number, end: number): void {
    const i = this.count++;
    this.texts[i] = text;
    this.starts[i] = start;
    this.ends[i] = end;
  }

  clear(): void {
    this.count = 0;
  }

  line(i: number): string {
    return this.texts[i].slice(this.starts[i], this.ends[i]);
  }

  lines(): string[] {
    const lines: string[] = [];
    for (let i = 0; i < this.count; i++) lines.push(this.line(i));
    return lines;
  }

  /** The lines from `first` on, as lines of their own. */
  from(first: number): InformationLines {
    const rest = new InformationLines();
    for (let i = first; i < this.count; i++) rest.add(this.texts[i], this.starts[i], this.ends[i]);
    return rest;
  }
}
