import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseCamt053 } from '../../bank-files/camt053';
import { xmlDocument } from '../../bank-files/xml';
import { mapCamt053 } from '../../domain/statements/camt053';
import { namespaceOf } from '../../domain/statements/camt053/versions';
import type { XmlEvents, XmlStartTag } from '../../domain/statements/camt053/xml';
import { StatementParseError } from '../../domain/statements/types';

/** The mapping in domain/ sees only XML events: recorded once, they map without any XML parser. */
type Event = ['start', XmlStartTag] | ['text', string] | ['end'];

function replay(events: Event[]): (handler: XmlEvents) => void {
  return (handler) => {
    for (const event of events) {
      if (event[0] === 'start') handler.startTag(event[1]);
      else if (event[0] === 'text') handler.text(event[1]);
      else handler.endTag();
    }
  };
}

test('recorded events map to the same statements as the file', () => {
  const file = resolve(__dirname, '../../../shared/fixtures/bank-files/camt053/camt053.v2.multi.statement.xml');
  const xml = readFileSync(file, 'utf8');
  const events: Event[] = [];
  xmlDocument(xml)({
    startTag: (tag) => events.push(['start', tag]),
    text: (text) => events.push(['text', text]),
    endTag: () => events.push(['end']),
  });
  expect(mapCamt053(replay(events))).toEqual(parseCamt053(xml));
});

test('a report without a statement is refused on the report line', () => {
  const tag = (name: string, line: number): Event => [
    'start',
    { name, namespace: namespaceOf('camt.053.001.08'), line, attributes: {} },
  ];
  const events: Event[] = [tag('Document', 2), tag('BkToCstmrStmt', 3), ['end'], ['end']];
  let error: unknown;
  try {
    mapCamt053(replay(events));
  } catch (thrown) {
    error = thrown;
  }
  expect(error).toBeInstanceOf(StatementParseError);
  expect((error as StatementParseError).line).toBe(3);
});
