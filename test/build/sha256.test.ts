// The one sha256 module (generator/encoding/sha256.ts): every form the project writes, checked against fixed values.
import { describe, expect, it } from 'vitest';
import { sha256Base64, sha256Digest, sha256Hex, sha256HexOfParts } from '../../generator/encoding/sha256.js';

// FIPS 180-2, appendix B.1: SHA-256("abc").
const ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';

describe('encoding/sha256', () => {
  it('writes hex, sha256:<hex> and base64 of the same digest', () => {
    expect(sha256Hex('abc')).toBe(ABC);
    expect(sha256Digest(Buffer.from('abc'))).toBe(`sha256:${ABC}`);
    expect(sha256Base64('abc')).toBe(Buffer.from(ABC, 'hex').toString('base64'));
    expect(sha256Base64('abc')).toBe('ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=');
  });

  it('keys several inputs by the head, then each part after its length and a newline', () => {
    expect(sha256HexOfParts('1\nname\n', ['ab', Buffer.from('c')])).toBe(sha256Hex('1\nname\n2\nab1\nc'));
    expect(sha256HexOfParts('h', ['ab', 'c'])).not.toBe(sha256HexOfParts('h', ['a', 'bc']));
    expect(sha256HexOfParts('h', [])).toBe(sha256Hex('h'));
  });
});
