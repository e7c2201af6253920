/**
 * The API server's validation of a LimitRange (core validation's ValidateLimitRange), run
 * on the item as defaulted (a Container item's max is already its default limit, and so
 * on: see readLimitRange). A LimitRange that fails it is refused, so it neither defaults
 * nor bounds anything.
 */
import { compareQuantities, formatQuantity, milliValue, unitValue, type Quantity } from "../../k8s/quantity.js";
import { isOvercommitAllowed } from "../../k8s/resource-names.js";
import type { FieldPath } from "../../k8s/types.js";
import type { LimitRangeItem, LimitRangeSpec } from "./limitrange.js";
import type { QuotaSpecError } from "./quota-validation.js";

const STANDARD_TYPES = new Set(["Pod", "Container", "PersistentVolumeClaim"]);
const STANDARD_CONTAINER_RESOURCES = new Set(["cpu", "memory", "ephemeral-storage"]);

/** resource.MaxMilliValue: the largest whole value whose milli-value fits an int64. */
const MAX_MILLI_VALUE = ((1n << 63n) - 1n) / 1000n;

function resourceNameErrors(type: string, field: string, names: Iterable<string>, path: FieldPath): QuotaSpecError[] {
  if (type !== "Pod" && type !== "Container") return [];
  const errors: QuotaSpecError[] = [];
  for (const name of names) {
    // Unprefixed names must be resources a container can request; prefixed ones are extended resources.
    if (!name.includes("/") && !STANDARD_CONTAINER_RESOURCES.has(name) && !name.startsWith("hugepages-")) {
      errors.push({ path: [...path, field, name], message: `${name} is not a resource a container can request (cpu, memory, ephemeral-storage, hugepages-<size>, or a domain-prefixed extended resource)` });
    }
  }
  return errors;
}

/** The ratio check against max/min, in milli-units when all three fit (note: strictly below MaxMilliValue here). */
function ratioAboveMaxOverMin(ratio: Quantity, min: Quantity, max: Quantity): number | undefined {
  const milli = unitValue(ratio) < MAX_MILLI_VALUE && unitValue(min) < MAX_MILLI_VALUE && unitValue(max) < MAX_MILLI_VALUE;
  const ratioValue = milli ? Number(milliValue(ratio)) / 1000 : Number(unitValue(ratio));
  const limit = milli ? Number(milliValue(max)) / Number(milliValue(min)) : Number(unitValue(max)) / Number(unitValue(min));
  return ratioValue > limit ? limit : undefined;
}

function itemErrors(item: LimitRangeItem, duplicate: boolean, path: FieldPath): QuotaSpecError[] {
  const errors: QuotaSpecError[] = [];
  if (item.type === "" || (!item.type.includes("/") && !STANDARD_TYPES.has(item.type))) {
    errors.push({ path: [...path, "type"], message: `type ${JSON.stringify(item.type)} must be Container, Pod, PersistentVolumeClaim or a domain-prefixed type` });
  }
  if (duplicate) errors.push({ path: [...path, "type"], message: `duplicate type ${JSON.stringify(item.type)}: one item per type` });
  errors.push(...resourceNameErrors(item.type, "max", item.max.keys(), path), ...resourceNameErrors(item.type, "min", item.min.keys(), path));
  if (item.type === "Pod") {
    // Pod items are not defaulted, so what is here is what the manifest set.
    if (item.default.size > 0) errors.push({ path: [...path, "default"], message: "default may not be set when type is Pod" });
    if (item.defaultRequest.size > 0) errors.push({ path: [...path, "defaultRequest"], message: "defaultRequest may not be set when type is Pod" });
  } else {
    errors.push(...resourceNameErrors(item.type, "default", item.default.keys(), path), ...resourceNameErrors(item.type, "defaultRequest", item.defaultRequest.keys(), path));
  }
  if (item.type === "PersistentVolumeClaim" && !item.min.has("storage") && !item.max.has("storage")) {
    errors.push({ path, message: "a PersistentVolumeClaim item needs a min or max storage value" });
  }
  errors.push(...resourceNameErrors(item.type, "maxLimitRequestRatio", item.maxLimitRequestRatio.keys(), path));

  const pod = item.type === "Pod";
  const keys = new Set([...item.max.keys(), ...item.min.keys(), ...(pod ? [] : [...item.default.keys(), ...item.defaultRequest.keys()]), ...item.maxLimitRequestRatio.keys()]);
  for (const k of [...keys].sort()) {
    const min = item.min.get(k);
    const max = item.max.get(k);
    const dflt = pod ? undefined : item.default.get(k);
    const dreq = pod ? undefined : item.defaultRequest.get(k);
    const ratio = item.maxLimitRequestRatio.get(k);
    const f = formatQuantity;
    const above = (a: Quantity | undefined, b: Quantity | undefined): boolean => a !== undefined && b !== undefined && compareQuantities(a, b) > 0;
    if (above(min, max)) errors.push({ path: [...path, "min", k], message: `min value ${f(min!)} is greater than max value ${f(max!)}` });
    if (above(min, dreq)) errors.push({ path: [...path, "defaultRequest", k], message: `min value ${f(min!)} is greater than default request value ${f(dreq!)}` });
    if (above(dreq, max)) errors.push({ path: [...path, "defaultRequest", k], message: `default request value ${f(dreq!)} is greater than max value ${f(max!)}` });
    if (above(dreq, dflt)) errors.push({ path: [...path, "defaultRequest", k], message: `default request value ${f(dreq!)} is greater than default limit value ${f(dflt!)}` });
    if (above(min, dflt)) errors.push({ path: [...path, "default", k], message: `min value ${f(min!)} is greater than default value ${f(dflt!)}` });
    if (above(dflt, max)) errors.push({ path: [...path, "default", k], message: `default value ${f(dflt!)} is greater than max value ${f(max!)}` });
    if (ratio && ratio.nanos < 1_000_000_000n) errors.push({ path: [...path, "maxLimitRequestRatio", k], message: `ratio ${f(ratio)} is less than 1` });
    if (ratio && min && max) {
      const limit = ratioAboveMaxOverMin(ratio, min, max);
      if (limit !== undefined) errors.push({ path: [...path, "maxLimitRequestRatio", k], message: `ratio ${f(ratio)} is greater than max/min = ${limit.toFixed(6)}` });
    }
    // Resources that cannot be overcommitted: a default limit must equal its default request.
    if (!isOvercommitAllowed(k) && dflt && dreq && compareQuantities(dflt, dreq) !== 0) {
      errors.push({ path: [...path, "defaultRequest", k], message: `default value ${f(dflt)} must equal defaultRequest value ${f(dreq)} for ${k}, which cannot be overcommitted` });
    }
  }
  return errors;
}

/** Why the API server refuses the LimitRange, item by item; [] when it accepts it. */
export function limitRangeErrors(range: LimitRangeSpec): QuotaSpecError[] {
  const errors: QuotaSpecError[] = [];
  const seenTypes = new Set<string>();
  range.items.forEach((item, i) => {
    const path: FieldPath = ["spec", "limits", i];
    errors.push(...itemErrors(item, seenTypes.has(item.type), path));
    seenTypes.add(item.type);
  });
  return errors;
}
