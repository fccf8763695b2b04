/**
 * The message area under the toolbar (role="alert", so screen readers announce it). Each
 * message has a source (a setting's key, "hash", "run"), so fixing a field clears its message
 * and nothing else.
 */

export type MessageKind = "error" | "info";

/**
 * The messages shown, by source.
 * @example messages.show("field:c.batch", "error", "batch size must be from 1 to 256, got 512");
 */
export class Messages {
  private readonly items = new Map<string, { kind: MessageKind; text: string }>();

  constructor(private readonly root: HTMLElement) {}

  show(source: string, kind: MessageKind, text: string): void {
    this.items.delete(source); // re-inserted last: the newest message is at the bottom
    this.items.set(source, { kind, text });
    this.render();
  }

  clear(source: string): void {
    if (this.items.delete(source)) this.render();
  }

  /** Clears every message whose source starts with `prefix`. */
  clearPrefix(prefix: string): void {
    let changed = false;
    for (const k of [...this.items.keys()]) if (k.startsWith(prefix)) changed = this.items.delete(k) || changed;
    if (changed) this.render();
  }

  /** The texts shown, oldest first (the tests read them). */
  texts(): string[] {
    return [...this.items.values()].map((m) => m.text);
  }

  private render(): void {
    this.root.replaceChildren(
      ...[...this.items.entries()].map(([source, m]) => {
        const p = this.root.ownerDocument.createElement("p");
        p.className = `message ${m.kind}`;
        p.dataset.source = source;
        p.textContent = m.text;
        const close = this.root.ownerDocument.createElement("button");
        close.type = "button";
        close.className = "dismiss";
        close.textContent = "×";
        close.setAttribute("aria-label", "dismiss this message");
        close.addEventListener("click", () => this.clear(source));
        p.append(" ", close);
        return p;
      }),
    );
  }
}
