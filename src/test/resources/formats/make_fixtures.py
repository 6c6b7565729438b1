#!/usr/bin/env python3
"""Writes the data files torchsight's readers are tested on, with NumPy and Python's own writers
(not torchsight's), and expected.json: what each file must read as.

Run from this folder:  python3 make_fixtures.py   (numpy 2.x; the tests themselves need no Python).

Every float in expected.json is the float32 value torchsight must produce, printed exactly (a
float32 converted to a Python float is exact). IDX unsigned bytes are expected scaled to [0, 1]
as torchvision's ToTensor does: float32(byte / 255.0).
"""
import csv
import gzip
import json
import struct

import numpy as np

rng = np.random.default_rng(20261129)
expected = {}


def expect(name, array, **extra):
    a = np.asarray(array)
    entry = {"shape": list(a.shape), "values": [float(v) for v in np.ravel(a, order="C")]}
    entry.update(extra)
    expected[name] = entry


def expect_labels(name, ids):
    expected[name] = {"labels": [int(v) for v in ids]}


# --- .npy written by numpy.save / numpy.lib.format -------------------------------------------
f32 = (rng.standard_normal((5, 3)) * 10).astype(np.float32)
np.save("numpy_float32.npy", f32)
expect("numpy_float32.npy", f32)

f64 = rng.standard_normal((4, 2)) * 1e6
np.save("numpy_float64.npy", f64)
expect("numpy_float64.npy", f64.astype(np.float32))

big = rng.standard_normal((3, 2)).astype(">f8")
np.save("numpy_float64_bigendian.npy", big)
expect("numpy_float64_bigendian.npy", big.astype(np.float32))

f16 = rng.standard_normal((2, 3)).astype(np.float16)
np.save("numpy_float16.npy", f16)
expect("numpy_float16.npy", f16.astype(np.float32))

fortran = np.asfortranarray((np.arange(12, dtype=np.float32).reshape(3, 4) * 1.5) - 4)
np.save("numpy_fortran.npy", fortran)
assert b"'fortran_order': True" in open("numpy_fortran.npy", "rb").read(128)
expect("numpy_fortran.npy", np.ascontiguousarray(fortran))

v2 = rng.standard_normal((3, 4)).astype(np.float32)
with open("numpy_version2.npy", "wb") as f:
    np.lib.format.write_array(f, v2, version=(2, 0))
assert open("numpy_version2.npy", "rb").read(8)[6] == 2
expect("numpy_version2.npy", v2)

images = rng.integers(0, 256, size=(3, 2, 4), dtype=np.uint8)
np.save("numpy_uint8_3d.npy", images)
expect("numpy_uint8_3d.npy", images.reshape(3, 8).astype(np.float32))  # flattened per row, not scaled

with gzip.GzipFile("numpy_float32.npy.gz", "wb", mtime=0) as f:
    np.save(f, f32)
expect("numpy_float32.npy.gz", f32)

for dtype in ("int64", "int32", "uint8"):
    ids = rng.integers(0, 5, size=12).astype(dtype)
    np.save(f"numpy_labels_{dtype}.npy", ids)
    expect_labels(f"numpy_labels_{dtype}.npy", ids)
column = rng.integers(0, 3, size=(6, 1)).astype(np.int64)
np.save("numpy_labels_column.npy", column)
expect_labels("numpy_labels_column.npy", column.ravel())


# --- IDX laid out as the original MNIST files (big-endian header) -----------------------------
def idx(type_code, array, big_endian_dtype):
    header = struct.pack(">BBBB", 0, 0, type_code, array.ndim)
    header += b"".join(struct.pack(">I", d) for d in array.shape)
    return header + np.ascontiguousarray(array).astype(big_endian_dtype).tobytes()


pixels = rng.integers(0, 256, size=(6, 4, 3), dtype=np.uint8)
pixel_labels = rng.integers(0, 10, size=6, dtype=np.uint8)
open("mnist-images-idx3-ubyte", "wb").write(idx(0x08, pixels, ">u1"))
open("mnist-labels-idx1-ubyte", "wb").write(idx(0x08, pixel_labels, ">u1"))
with gzip.GzipFile("mnistgz-images-idx3-ubyte.gz", "wb", mtime=0) as f:
    f.write(idx(0x08, pixels, ">u1"))
with gzip.GzipFile("mnistgz-labels-idx1-ubyte.gz", "wb", mtime=0) as f:
    f.write(idx(0x08, pixel_labels, ">u1"))
scaled = (pixels.reshape(6, 12).astype(np.float64) / 255.0).astype(np.float32)
expect("mnist-images-idx3-ubyte", scaled)
expect("mnistgz-images-idx3-ubyte.gz", scaled)
expect_labels("mnist-labels-idx1-ubyte", pixel_labels)
expect_labels("mnistgz-labels-idx1-ubyte.gz", pixel_labels)

floats = rng.standard_normal((3, 2)).astype(np.float32)
open("floats.idx", "wb").write(idx(0x0D, floats, ">f4"))
expect("floats.idx", floats)

# --- CSV and text as NumPy and Python's csv module write them ----------------------------------
table = (rng.standard_normal((4, 3)) * 100).astype(np.float32)
np.savetxt("numpy_savetxt.csv", table, delimiter=",")  # '%.18e', no header
expect("numpy_savetxt.csv", table)
np.savetxt("numpy_savetxt_header.txt", table, header="a b c")  # spaces, '# a b c' header
expect("numpy_savetxt_header.txt", table)
np.savetxt("numpy_savetxt_tabs.tsv", table, delimiter="\t", fmt="%.9g")
expect("numpy_savetxt_tabs.tsv", table)

with open("python_csv_quoted.csv", "w", newline="") as f:  # csv's default line ending is \r\n
    w = csv.writer(f, quoting=csv.QUOTE_ALL)
    w.writerow(["x", "y", "z"])
    for row in table:
        w.writerow([repr(float(v)) for v in row])
expect("python_csv_quoted.csv", table)

with open("excel_bom.csv", "w", newline="", encoding="utf-8-sig") as f:  # Excel's "CSV UTF-8"
    w = csv.writer(f)
    w.writerow(["width", "height"])
    for row in table[:, :2]:
        w.writerow([repr(float(v)) for v in row])
expect("excel_bom.csv", table[:, :2])

# pandas' DataFrame.to_csv layout: an empty first header cell and an index column (written by hand:
# pandas is not installed here; the bytes are what pandas 2.x writes for this frame).
with open("pandas_index.csv", "w", newline="") as f:
    f.write(",a,b,c\n")
    for i, row in enumerate(table):
        f.write(str(i) + "," + ",".join(repr(float(v)) for v in row) + "\n")
expect("pandas_index.csv", table)

# --- labels and class names -------------------------------------------------------------------
names = ["cat", "dog", "cat", "bird", "dog", "cat"]
with open("labels.txt", "w", newline="\r\n") as f:
    f.write("\n".join(names) + "\n\n")
expected["labels.txt"] = {"classes": sorted(set(names)), "codes": [sorted(set(names)).index(n) for n in names]}

imagenet = {str(i): [f"n{1440764 + i:08d}", name] for i, name in enumerate(["tench", "goldfish", "great white shark"])}
with open("imagenet_class_index.json", "w") as f:
    json.dump(imagenet, f)
expected["imagenet_class_index.json"] = {"names": ["tench", "goldfish", "great white shark"]}
with open("class_list.json", "w", encoding="utf-8") as f:
    json.dump(["T-shirt/top", "Trouser", "Pullover", "Café"], f, ensure_ascii=False)
expected["class_list.json"] = {"names": ["T-shirt/top", "Trouser", "Pullover", "Café"]}

with open("expected.json", "w") as f:
    json.dump(expected, f, indent=1, sort_keys=True)
    f.write("\n")
for name in sorted(expected):
    print(name, json.dumps(expected[name])[:100])
