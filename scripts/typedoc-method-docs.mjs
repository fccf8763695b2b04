// TypeDoc plugin: Tensor's chained methods (x.add(y), x.sum(...)) are typed from the ops' own
// signatures by a mapped type (core/ops/methods.ts), which carries no doc comment of its own.
// Each such method gets the documentation of the op it calls, so that the API reference says
// what `x.add(y)` does, and the "every public symbol is documented" check applies to the ops.
import { Converter, ReflectionKind } from "typedoc";

/** @param {import("typedoc").Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    const project = context.project;
    const ops = new Map();
    for (const fn of project.getReflectionsByKind(ReflectionKind.Function)) {
      const comment = fn.signatures?.find((s) => s.comment)?.comment ?? fn.comment;
      if (comment && !ops.has(fn.name)) ops.set(fn.name, comment);
    }
    for (const cls of project.getReflectionsByKind(ReflectionKind.Class)) {
      if (cls.name !== "Tensor" && cls.name !== "Parameter") continue;
      for (const member of cls.children ?? []) {
        const comment = ops.get(member.name);
        if (!comment || member.hasComment()) continue;
        member.comment = comment.clone();
      }
    }
  });
}
