import { checkBankActivationTemplate, type TemplateLanguage } from '../../domain/message-template';

/** The rules alone, with a template language that knows only `[name]`: no handlebars needed to test them. */
const BRACKETS: TemplateLanguage = {
  name: 'bracket',
  read: (source) =>
    source.includes('[[')
      ? { error: 'nested bracket' }
      : { variables: new Set([...source.matchAll(/\[(\w+)\]/g)].map((m) => m[1]!)), refused: new Set() },
  renderError: (source) => (source.includes('[]') ? 'empty name' : null),
};

test('a good message passes, whatever the template language', () => {
  expect(checkBankActivationTemplate({ subject: 'For [companyName]', body: 'Open [activationUrl]' }, BRACKETS)).toEqual(
    [],
  );
});

test('every problem names its field, in the language the reader names', () => {
  expect(checkBankActivationTemplate({ subject: 'a\n[activationUrl]', body: 'x [[ y' }, BRACKETS)).toEqual([
    { field: 'body', message: 'is not a valid bracket template: nested bracket' },
    { field: 'subject', message: 'must be a single line' },
    { field: 'subject', message: 'must not contain {{activationUrl}}: the link belongs in the body' },
  ]);
  expect(checkBankActivationTemplate({ subject: 'Hi []', body: '[iban] [activationUrl]' }, BRACKETS)).toEqual([
    { field: 'subject', message: 'does not compile: empty name' },
    {
      field: 'body',
      message: expect.stringMatching(/^unknown variable \{\{iban\}\}; known are companyName, kvkNumber/) as string,
    },
  ]);
});
