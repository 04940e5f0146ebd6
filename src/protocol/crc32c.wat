;; CRC-32C (Castagnoli) slice-by-16 in WebAssembly: the same algorithm as crcSliceBy16 in
;; crc32c.ts, about 2.4× faster there because WebAssembly loads need no bounds checks and read
;; little-endian words from any address (bench/protocol.bench.ts reports both).
;;
;; Source of src/protocol/crc32c-wasm-bytes.ts: `npm run build:wasm` assembles this
;; file with wabt and writes the bytes there; src/protocol/crc32c-wasm.test.ts fails if the two
;; drift apart. The JavaScript side (crc32c-wasm.ts) fills the tables and copies input in.
;;
;; Memory (one 64 KiB page, exported as "memory"):
;;   [0, 16384)      sixteen 256-entry u32 tables: table k at byte k * 1024 holds the CRC
;;                   contribution of a byte followed by k zero bytes (T0 is the classic table)
;;   [16384, 65536)  input: the caller copies up to 48 KiB here per call
(module
  (memory (export "memory") 1)

  ;; update(crc, ptr, len): continue the CRC `crc` (a finished CRC, 0 to start) over
  ;; memory[ptr, ptr + len) and return the finished CRC (as i32; JavaScript reads it with >>> 0).
  (func (export "update") (param $crc i32) (param $ptr i32) (param $len i32) (result i32)
    (local $c i32) (local $end i32) (local $a i32) (local $b i32) (local $d i32) (local $e i32)
    ;; The register holds the complement of the CRC while bytes are folded in.
    (local.set $c (i32.xor (local.get $crc) (i32.const -1)))

    ;; 16 bytes per step: four little-endian words, the first xored with the register; each of
    ;; their 16 bytes indexes the table of its distance from the end of the step.
    ;; Index of byte k of word w in bytes: ((w >>> 8k) & 0xff) << 2, folded into one shift and mask.
    (local.set $end (i32.add (local.get $ptr) (i32.and (local.get $len) (i32.const -16))))
    (block $words_done
      (br_if $words_done (i32.ge_u (local.get $ptr) (local.get $end)))
      (loop $words
        (local.set $a (i32.xor (local.get $c) (i32.load (local.get $ptr))))
        (local.set $b (i32.load offset=4 (local.get $ptr)))
        (local.set $d (i32.load offset=8 (local.get $ptr)))
        (local.set $e (i32.load offset=12 (local.get $ptr)))
        (local.set $c
          (i32.xor
            (i32.xor
              (i32.xor
                (i32.xor
                  (i32.load offset=15360 (i32.shl (i32.and (local.get $a) (i32.const 255)) (i32.const 2)))
                  (i32.load offset=14336 (i32.and (i32.shr_u (local.get $a) (i32.const 6)) (i32.const 1020))))
                (i32.xor
                  (i32.load offset=13312 (i32.and (i32.shr_u (local.get $a) (i32.const 14)) (i32.const 1020)))
                  (i32.load offset=12288 (i32.and (i32.shr_u (local.get $a) (i32.const 22)) (i32.const 1020)))))
              (i32.xor
                (i32.xor
                  (i32.load offset=11264 (i32.shl (i32.and (local.get $b) (i32.const 255)) (i32.const 2)))
                  (i32.load offset=10240 (i32.and (i32.shr_u (local.get $b) (i32.const 6)) (i32.const 1020))))
                (i32.xor
                  (i32.load offset=9216 (i32.and (i32.shr_u (local.get $b) (i32.const 14)) (i32.const 1020)))
                  (i32.load offset=8192 (i32.and (i32.shr_u (local.get $b) (i32.const 22)) (i32.const 1020))))))
            (i32.xor
              (i32.xor
                (i32.xor
                  (i32.load offset=7168 (i32.shl (i32.and (local.get $d) (i32.const 255)) (i32.const 2)))
                  (i32.load offset=6144 (i32.and (i32.shr_u (local.get $d) (i32.const 6)) (i32.const 1020))))
                (i32.xor
                  (i32.load offset=5120 (i32.and (i32.shr_u (local.get $d) (i32.const 14)) (i32.const 1020)))
                  (i32.load offset=4096 (i32.and (i32.shr_u (local.get $d) (i32.const 22)) (i32.const 1020)))))
              (i32.xor
                (i32.xor
                  (i32.load offset=3072 (i32.shl (i32.and (local.get $e) (i32.const 255)) (i32.const 2)))
                  (i32.load offset=2048 (i32.and (i32.shr_u (local.get $e) (i32.const 6)) (i32.const 1020))))
                (i32.xor
                  (i32.load offset=1024 (i32.and (i32.shr_u (local.get $e) (i32.const 14)) (i32.const 1020)))
                  (i32.load (i32.and (i32.shr_u (local.get $e) (i32.const 22)) (i32.const 1020))))))))
        (local.set $ptr (i32.add (local.get $ptr) (i32.const 16)))
        (br_if $words (i32.lt_u (local.get $ptr) (local.get $end)))))

    ;; The last len mod 16 bytes, one at a time through T0.
    (local.set $end (i32.add (local.get $ptr) (i32.and (local.get $len) (i32.const 15))))
    (block $bytes_done
      (br_if $bytes_done (i32.ge_u (local.get $ptr) (local.get $end)))
      (loop $bytes
        (local.set $c
          (i32.xor
            (i32.load
              (i32.shl
                (i32.and (i32.xor (local.get $c) (i32.load8_u (local.get $ptr))) (i32.const 255))
                (i32.const 2)))
            (i32.shr_u (local.get $c) (i32.const 8))))
        (local.set $ptr (i32.add (local.get $ptr) (i32.const 1)))
        (br_if $bytes (i32.lt_u (local.get $ptr) (local.get $end)))))

    (i32.xor (local.get $c) (i32.const -1))))
