import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd(), overrideConfigFile: 'tests/eslint.config.js' });
const renderAsText = 'Page text must only ever be rendered as text';

async function lint(code: string, filePath: string) {
  const [result] = await eslint.lintText(code, { filePath });
  if (!result) throw new Error('ESLint returned no result');
  return result.messages;
}

describe('lint rules for extension code', () => {
  it('reports assigning page text to innerHTML', async () => {
    const messages = await lint(
      'export function show(el: HTMLElement, name: string) {\n  el.innerHTML = name;\n}\n',
      'extension/x.ts',
    );
    expect(messages.some((m) => m.ruleId === 'no-unsanitized/property')).toBe(true);
    expect(messages.some((m) => m.message.includes(renderAsText))).toBe(true);
    expect(messages.every((m) => m.severity === 2)).toBe(true);
  });

  it('reports dangerouslySetInnerHTML in JSX', async () => {
    const messages = await lint(
      'export function Name({ name }: { name: string }) {\n  return <b dangerouslySetInnerHTML={{ __html: name }} />;\n}\n',
      'extension/features/x.tsx',
    );
    expect(messages.some((m) => m.ruleId === 'no-restricted-syntax' && m.severity === 2)).toBe(true);
    expect(messages.some((m) => m.message.includes(renderAsText))).toBe(true);
  });

  it('accepts the same text set through textContent and JSX', async () => {
    expect(
      await lint(
        'export function show(el: HTMLElement, name: string) {\n  el.textContent = name;\n}\n',
        'extension/x.ts',
      ),
    ).toEqual([]);
    expect(
      await lint(
        'export function Name({ name }: { name: string }) {\n  return <b>{name}</b>;\n}\n',
        'extension/features/x.tsx',
      ),
    ).toEqual([]);
  });

  it('applies the same rules to shared code', async () => {
    const messages = await lint(
      'export function show(el: HTMLElement, name: string) {\n  el.insertAdjacentHTML("beforeend", name);\n}\n',
      'shared/x.ts',
    );
    expect(messages.length).toBeGreaterThan(0);
  });
});
