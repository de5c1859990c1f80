// Renders media/icon.png (the marketplace icon, 128×128) from the same drawing as
// media/hubkeeper.svg: a hub with four satellites. No image tools needed: a tiny rasterizer
// with 4×4 supersampling and a hand-written PNG encoder. Run: node scripts/make-icon.mjs
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const SIZE = 128;
const S = SIZE / 24; // the SVG's 24-unit grid
const bg = [0x1f, 0x4e, 0x79];
const fg = [0xf2, 0xf5, 0xf8];
const accent = [0x7f, 0xd1, 0x8b];

const circles = [
  [12, 12, 3.4, accent],
  [4.5, 5, 2.3, fg],
  [19.5, 5, 2.3, fg],
  [4.5, 19, 2.3, fg],
  [19.5, 19, 2.3, fg],
];
const lines = [
  [6, 6.4, 10.2, 10.3],
  [18, 6.4, 13.8, 10.3],
  [6, 17.6, 10.2, 13.7],
  [18, 17.6, 13.8, 13.7],
];

function segDist(px, py, [x1, y1, x2, y2]) {
  const dx = x2 - x1;
  const dy = y2 - y1;
  const t = Math.max(0, Math.min(1, ((px - x1) * dx + (py - y1) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (x1 + t * dx), py - (y1 + t * dy));
}

function colorAt(x, y) {
  // rounded square background
  const r = 5;
  const cx = Math.min(Math.max(x, r), 24 - r);
  const cy = Math.min(Math.max(y, r), 24 - r);
  if (Math.hypot(x - cx, y - cy) > r) return null;
  for (const [ccx, ccy, rad, col] of circles) if (Math.hypot(x - ccx, y - ccy) <= rad) return col;
  for (const l of lines) if (segDist(x, y, l) <= 0.9) return fg;
  return bg;
}

const raw = Buffer.alloc(SIZE * (SIZE * 4 + 1));
for (let y = 0; y < SIZE; y++) {
  raw[y * (SIZE * 4 + 1)] = 0; // filter: none
  for (let x = 0; x < SIZE; x++) {
    const acc = [0, 0, 0, 0];
    for (let sy = 0; sy < 4; sy++) {
      for (let sx = 0; sx < 4; sx++) {
        const c = colorAt((x + (sx + 0.5) / 4) / S, (y + (sy + 0.5) / 4) / S);
        if (!c) continue;
        acc[0] += c[0];
        acc[1] += c[1];
        acc[2] += c[2];
        acc[3] += 255;
      }
    }
    const n = acc[3] / 255;
    const o = y * (SIZE * 4 + 1) + 1 + x * 4;
    raw[o] = n ? acc[0] / n : 0;
    raw[o + 1] = n ? acc[1] / n : 0;
    raw[o + 2] = n ? acc[2] / n : 0;
    raw[o + 3] = acc[3] / 16;
  }
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const c = Buffer.alloc(4);
  c.writeUInt32BE(crc(td));
  return Buffer.concat([len, td, c]);
};
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(SIZE, 0);
ihdr.writeUInt32BE(SIZE, 4);
ihdr[8] = 8; // bit depth
ihdr[9] = 6; // RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
writeFileSync(new URL('../media/icon.png', import.meta.url), png);
console.log(`media/icon.png: ${png.length} bytes`);
