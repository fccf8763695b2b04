/**
 * `toDot`: the graph that produced a tensor, as Graphviz DOT text (render with `dot -Tsvg`).
 * Tensors are boxes (name, shape, dtype); ops are ellipses between them.
 */
import { Tensor } from "./tensor";
import { fmt } from "./shape";
import { checkTensor } from "./ops/operand";

function escape(s: string): string {
  return s.replace(/\\/g, "\\\\").replace(/"/g, '\\"');
}

/**
 * @example
 * const x = tensor([1, 2], { requiresGrad: true, name: "x" });
 * fs.writeFileSync("graph.dot", toDot(x.mul(x).sum())); // then: dot -Tsvg graph.dot > graph.svg
 */
export function toDot(t: Tensor): string {
  checkTensor("toDot", "t", t);
  const lines = ["digraph ndgrad {", "  rankdir=LR;", '  node [fontname="Helvetica", fontsize=10];'];
  const seen = new Set<Tensor>([t]);
  const stack: Tensor[] = [t];
  while (stack.length > 0) {
    const cur = stack.pop()!;
    const parts = [...(cur.name ? [escape(cur.name)] : []), `${fmt(cur.shape)} ${cur.dtype}`, ...(cur.grad ? ["has grad"] : [])];
    const style = cur.isLeaf && cur.requiresGrad ? ', style=filled, fillcolor="#dbeafe"' : "";
    lines.push(`  t${cur.id} [shape=box, label="${parts.join("\\n")}"${style}];`);
    if (cur.node) {
      lines.push(`  op${cur.id} [shape=ellipse, label="${escape(cur.node.op)}"];`);
      lines.push(`  op${cur.id} -> t${cur.id};`);
      for (const input of cur.node.inputs) {
        lines.push(`  t${input.id} -> op${cur.id};`);
        if (!seen.has(input)) {
          seen.add(input);
          stack.push(input);
        }
      }
    }
  }
  lines.push("}");
  return lines.join("\n") + "\n";
}
