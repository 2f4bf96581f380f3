import { parseTemplate } from '../../src/parse/parse';
import { buildModel, type TemplateModel } from '../../src/model/template';
import { Evaluator, type EvalEnv } from '../../src/model/values';

export function modelOf(text: string, file = 'test.yaml'): TemplateModel {
  const r = parseTemplate(text, file);
  if (r.kind !== 'template') throw new Error(r.reason);
  return buildModel({ file, format: r.format, template: r.template, text });
}

export function evaluatorOf(text: string, env: EvalEnv = {}): Evaluator {
  return new Evaluator(modelOf(text), env);
}
