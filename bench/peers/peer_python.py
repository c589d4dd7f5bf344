#!/usr/bin/python3
"""peer_python.py BEFORE AFTER OUTDIR THRESHOLD FITS MINPIX

The tuban job in the scientific-Python stack (Debian 12 packages, run with
/usr/bin/python3): rasterio reads both dates whole into memory (float32), numpy
computes the per-band normalised difference (FITS: "gain offset scale" x 4 from tuban's
summary.json) and its root mean square over bands, thresholds it, scipy.ndimage opens
and closes with a 3x3 square and labels 8-connected components, scikit-image's
remove_small_objects drops those below MINPIX pixels, rasterio writes the mask and
rasterio.features.shapes + fiona write the polygons to a GeoPackage.
"""
import os
import sys

import fiona
import numpy as np
import rasterio
import rasterio.features
from scipy import ndimage
from skimage.morphology import remove_small_objects


def main():
    before, after, out, t, fits, minpix = sys.argv[1:7]
    t = float(t)
    minpix = int(minpix)
    f = [float(v) for v in fits.split()]
    os.makedirs(out, exist_ok=True)
    with rasterio.open(before) as b, rasterio.open(after) as a:
        profile = a.profile
        nb = a.count
        acc = np.zeros((a.height, a.width), dtype=np.float32)
        for i in range(nb):
            g, o, s = f[3 * i:3 * i + 3]
            d = (a.read(i + 1).astype(np.float32) - np.float32(g) * b.read(i + 1) - np.float32(o))
            d /= np.float32(s)
            acc += d * d
    mask = acc / nb > t * t
    del acc
    square = np.ones((3, 3), dtype=bool)
    mask = ndimage.binary_opening(mask, structure=square)
    mask = ndimage.binary_closing(mask, structure=square)
    labels, n = ndimage.label(mask, structure=square)
    labels = remove_small_objects(labels, min_size=minpix, connectivity=2)
    mask = (labels > 0).astype(np.uint8)
    del labels
    profile.update(count=1, dtype="uint8", compress="deflate", nodata=None)
    with rasterio.open(os.path.join(out, "mask.tif"), "w", **profile) as dst:
        dst.write(mask, 1)
    schema = {"geometry": "Polygon", "properties": {"value": "int"}}
    path = os.path.join(out, "changes.gpkg")
    if os.path.exists(path):
        os.remove(path)
    with fiona.open(path, "w", driver="GPKG", layer="changes", crs=profile["crs"].to_wkt(),
                    schema=schema) as dst:
        dst.writerecords({"geometry": geom, "properties": {"value": int(v)}}
                         for geom, v in rasterio.features.shapes(
                             mask, mask=mask.astype(bool), connectivity=8,
                             transform=profile["transform"]))


if __name__ == "__main__":
    main()
