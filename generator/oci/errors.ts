// Typed registry failures, so callers tell "not there" from "not allowed" from "not reachable" by type, from the one
// answer they got (no second request, no matching on message text). Modelled on oras-go's errcode.ErrorResponse
// (oras-project/oras-go registry/remote/errcode/errors.go: Method, URL, StatusCode, Errors{Code, Message, Detail})
// and the error codes of opencontainers/distribution-spec v1.1.1 spec.md "Error Codes".
import { STATUS_CODES } from 'node:http';
import { UserError } from '../errors.js';
import type { HttpResponse } from '../net/http.js';

/**
 * One entry of the registry's `errors` list. `code` is one of distribution-spec's (BLOB_UNKNOWN, BLOB_UPLOAD_INVALID,
 * BLOB_UPLOAD_UNKNOWN, DIGEST_INVALID, MANIFEST_BLOB_UNKNOWN, MANIFEST_INVALID, MANIFEST_UNKNOWN, NAME_INVALID,
 * NAME_UNKNOWN, SIZE_INVALID, UNAUTHORIZED, DENIED, UNSUPPORTED), Distribution's TOOMANYREQUESTS, or whatever else the
 * registry sends, kept as sent.
 */
export interface RegistryErrorEntry {
  code: string;
  message?: string;
  detail?: unknown;
}

/**
 * What an answer means for the caller:
 * - `not-found`: the manifest, blob or repository does not exist (404, MANIFEST_UNKNOWN, NAME_UNKNOWN, BLOB_UNKNOWN);
 * - `unauthorized`: no or rejected credentials (401, UNAUTHORIZED); `denied`: the account may not do this (403, DENIED);
 * - `unavailable`: 429 or 5xx that outlasted the retries (the registry is there but not serving);
 * - `invalid`: the registry refused what was sent (other 4xx: MANIFEST_INVALID, NAME_INVALID, UNSUPPORTED, ...).
 */
export type RegistryErrorKind = 'not-found' | 'unauthorized' | 'denied' | 'unavailable' | 'invalid';

const NOT_FOUND_CODES = new Set(['MANIFEST_UNKNOWN', 'NAME_UNKNOWN', 'BLOB_UNKNOWN']);

function errorKind(status: number, codes: string[]): RegistryErrorKind {
  if (codes.some((c) => NOT_FOUND_CODES.has(c)) || status === 404) return 'not-found';
  if (status === 401 || codes.includes('UNAUTHORIZED')) return 'unauthorized';
  if (status === 403 || codes.includes('DENIED')) return 'denied';
  if (status === 429 || status >= 500 || codes.includes('TOOMANYREQUESTS')) return 'unavailable';
  return 'invalid';
}

/** The registry's `{"errors":[{code, message, detail}]}`; empty when the body is not that (HEAD, proxies, HTML). */
export function parseErrorBody(body: Buffer): RegistryErrorEntry[] {
  try {
    const doc = JSON.parse(body.toString('utf8')) as { errors?: unknown };
    if (!Array.isArray(doc.errors)) return [];
    return doc.errors
      .filter((e): e is { code: unknown; message?: unknown; detail?: unknown } => Boolean(e) && typeof e === 'object')
      .map((e) => ({
        code: typeof e.code === 'string' ? e.code : 'UNKNOWN',
        ...(typeof e.message === 'string' && e.message ? { message: e.message } : {}),
        ...(e.detail !== undefined ? { detail: e.detail } : {}),
      }));
  } catch {
    return [];
  }
}

/** `CODE: message; CODE: message`, or the raw body (one line, at most 200 characters) when it is not the error JSON. */
export function answerDetail(body: Buffer, errors = parseErrorBody(body)): string {
  if (errors.length) return errors.map((e) => [e.code, e.message].filter(Boolean).join(': ')).join('; ');
  const raw = body.toString('utf8').replace(/\s+/g, ' ').trim();
  return raw.length > 200 ? `${raw.slice(0, 200)}…` : raw;
}

/** A URL for messages and error fields: no user info, no query (pre-signed blob-storage URLs carry secrets there). */
function safeUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/** Where a registry failure happened: `registry HOST: repository REPO: OPERATION`. */
export interface RegistryPlace {
  registry: string;
  repository: string;
  /** What was being done, e.g. `GET manifest 1.0.0`, `upload blob sha256:…`. */
  operation: string;
}

const placeText = (p: RegistryPlace) => `registry ${p.registry}: repository ${p.repository}: ${p.operation}`;

/** The registry (or its token service) answered with an error status. */
export class RegistryError extends UserError {
  readonly registry: string;
  readonly repository: string;
  readonly operation: string;
  readonly kind: RegistryErrorKind;
  /** The first error code the registry sent (undefined for a bare status, e.g. an answer to HEAD). */
  readonly code: string | undefined;

  constructor(
    place: RegistryPlace,
    readonly method: string,
    /** Without credentials or query. */
    readonly url: string,
    readonly status: number,
    readonly errors: RegistryErrorEntry[],
    detail: string,
    hint?: string,
  ) {
    super(`${placeText(place)}: HTTP ${status}${detail ? `: ${detail}` : ''}`, hint);
    this.name = 'RegistryError';
    this.registry = place.registry;
    this.repository = place.repository;
    this.operation = place.operation;
    this.kind = errorKind(status, errors.map((e) => e.code));
    this.code = errors[0]?.code;
  }

  /** From a response; `suffix` is appended to the detail (e.g. how many tries were made). A bare status gets its name. */
  static fromResponse(place: RegistryPlace, req: { method: string; url: URL }, res: HttpResponse, hint?: string, suffix = ''): RegistryError {
    const errors = parseErrorBody(res.body);
    const detail = (answerDetail(res.body, errors) || (STATUS_CODES[res.status] ?? '')) + suffix;
    return new RegistryError(place, req.method, safeUrl(req.url), res.status, errors, detail.trim(), hint);
  }
}

/** Why a registry could not be talked to at all (no HTTP answer came back). */
export type UnreachableReason = 'unknown-host' | 'refused' | 'reset' | 'timeout' | 'tls' | 'protocol' | 'network';

/** The registry could not be reached: DNS, refused or reset connections, timeouts, TLS. Retries have been spent. */
export class RegistryUnreachableError extends UserError {
  readonly registry: string;
  readonly repository: string;
  readonly operation: string;

  constructor(
    place: RegistryPlace,
    readonly reason: UnreachableReason,
    detail: string,
    hint?: string,
  ) {
    super(`${placeText(place)}: ${detail}`, hint);
    this.name = 'RegistryUnreachableError';
    this.registry = place.registry;
    this.repository = place.repository;
    this.operation = place.operation;
  }
}

/** Node's error code (and message) → why the registry was unreachable. */
export function unreachableReason(code: string | undefined, message: string): UnreachableReason {
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'unknown-host';
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'ETIMEDOUT') return 'timeout';
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED' || code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'UND_ERR_SOCKET') return 'reset';
  if (/^(ERR_TLS|ERR_SSL|UNABLE_TO_|EPROTO$)|CERT/.test(code ?? '') || /TLS failure|certificate/i.test(message)) return 'tls';
  if (code?.startsWith('HPE_')) return 'protocol';
  return 'network';
}

export const isNotFound = (e: unknown): e is RegistryError => e instanceof RegistryError && e.kind === 'not-found';
/** Unreachable, or reachable but not serving (429/5xx after the retries): another copy (a mirror) may help. */
export const isUnavailable = (e: unknown): boolean => e instanceof RegistryUnreachableError || (e instanceof RegistryError && e.kind === 'unavailable');
