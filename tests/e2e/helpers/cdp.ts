// Reads and drives closed shadow roots (the overlay's) through the Chrome DevTools Protocol:
// page scripts and Playwright locators cannot see inside them, CDP's pierced DOM can.
import type { CDPSession, Page } from '@playwright/test';

/** The fields of CDP's `DOM.Node` used here. */
interface CdpNode {
  backendNodeId: number;
  nodeType: number;
  localName: string;
  nodeValue: string;
  attributes?: string[];
  children?: CdpNode[];
  shadowRoots?: CdpNode[];
  shadowRootType?: string;
  contentDocument?: CdpNode;
}

export interface PiercedNode {
  backendNodeId: number;
  localName: string;
  attributes: Record<string, string>;
  /** The node's text with whitespace collapsed, including text inside its own shadow roots. */
  text: string;
  inClosedShadowRoot: boolean;
}

export interface NodeQuery {
  tag?: string;
  attributes?: Record<string, string>;
  /** A string matches the whole collapsed text; a RegExp is tested against it. */
  text?: string | RegExp;
  inClosedShadowRoot?: boolean;
}

const elementNode = 1;
const textNode = 3;

function attributeMap(list: string[] = []): Record<string, string> {
  const map: Record<string, string> = {};
  for (let i = 0; i + 1 < list.length; i += 2) map[list[i]!] = list[i + 1]!;
  return map;
}

function textOf(node: CdpNode): string {
  if (node.nodeType === textNode) return node.nodeValue;
  if (['script', 'style', 'template'].includes(node.localName)) return '';
  return [...(node.shadowRoots ?? []), ...(node.children ?? [])].map(textOf).join('');
}

function collectElements(node: CdpNode, inClosed: boolean, into: PiercedNode[]): PiercedNode[] {
  if (node.nodeType === elementNode) {
    into.push({
      backendNodeId: node.backendNodeId,
      localName: node.localName,
      attributes: attributeMap(node.attributes),
      text: textOf(node).replace(/\s+/g, ' ').trim(),
      inClosedShadowRoot: inClosed,
    });
  }
  for (const root of node.shadowRoots ?? []) {
    collectElements(root, inClosed || root.shadowRootType === 'closed', into);
  }
  for (const child of node.children ?? []) collectElements(child, inClosed, into);
  if (node.contentDocument) collectElements(node.contentDocument, inClosed, into);
  return into;
}

function matches(node: PiercedNode, query: NodeQuery): boolean {
  if (query.tag !== undefined && node.localName !== query.tag) return false;
  if (query.inClosedShadowRoot !== undefined && node.inClosedShadowRoot !== query.inClosedShadowRoot) {
    return false;
  }
  for (const [name, value] of Object.entries(query.attributes ?? {})) {
    if (node.attributes[name] !== value) return false;
  }
  if (typeof query.text === 'string') return node.text === query.text;
  if (query.text instanceof RegExp) return query.text.test(node.text);
  return true;
}

function describeQuery(query: NodeQuery): string {
  return JSON.stringify(query, (_key, value: unknown) =>
    value instanceof RegExp ? value.toString() : value,
  );
}

export interface ShadowDom {
  findAll(query: NodeQuery): Promise<PiercedNode[]>;
  /** The first match, waiting up to `timeoutMs` for one to appear. */
  find(query: NodeQuery, timeoutMs?: number): Promise<PiercedNode>;
  /** Calls the element's own `click()`. */
  click(node: PiercedNode): Promise<void>;
  /** A trusted mouse click at the centre of the element's box, as a user would. */
  clickWithMouse(node: PiercedNode): Promise<void>;
  /** Nodes of the accessibility tree (closed roots included) with this role and name. */
  findByRole(role: string, name: string | RegExp): Promise<{ backendNodeId: number; name: string }[]>;
  detach(): Promise<void>;
}

export async function inspectShadowDom(page: Page): Promise<ShadowDom> {
  const cdp: CDPSession = await page.context().newCDPSession(page);

  async function findAll(query: NodeQuery): Promise<PiercedNode[]> {
    const { root } = await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
    return collectElements(root, false, []).filter((node) => matches(node, query));
  }

  return {
    findAll,

    async find(query, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const [first] = await findAll(query);
        if (first) return first;
        if (Date.now() > deadline) throw new Error(`No node matches ${describeQuery(query)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },

    async click(node) {
      const { object } = await cdp.send('DOM.resolveNode', { backendNodeId: node.backendNodeId });
      if (!object.objectId) throw new Error(`Cannot resolve <${node.localName}>`);
      await cdp.send('Runtime.callFunctionOn', {
        objectId: object.objectId,
        functionDeclaration: 'function () { this.click(); }',
      });
      await cdp.send('Runtime.releaseObject', { objectId: object.objectId });
    },

    async clickWithMouse(node) {
      await cdp.send('DOM.scrollIntoViewIfNeeded', { backendNodeId: node.backendNodeId });
      const { model } = await cdp.send('DOM.getBoxModel', { backendNodeId: node.backendNodeId });
      const quad = model.content;
      const x = (quad[0]! + quad[2]! + quad[4]! + quad[6]!) / 4;
      const y = (quad[1]! + quad[3]! + quad[5]! + quad[7]!) / 4;
      await page.mouse.click(x, y);
    },

    async findByRole(role, name) {
      const { nodes } = await cdp.send('Accessibility.getFullAXTree');
      return nodes
        .filter((node) => node.role?.value === role && node.backendDOMNodeId !== undefined)
        .map((node) => ({ backendNodeId: node.backendDOMNodeId!, name: String(node.name?.value ?? '') }))
        .filter((node) => (typeof name === 'string' ? node.name === name : name.test(node.name)));
    },

    async detach() {
      await cdp.detach();
    },
  };
}
