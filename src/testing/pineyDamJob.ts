/**
 * The reference LiDAR pipeline as a `POST /jobs` body in the real server's recipe format (v2):
 * reproject → dem → hillshade + contours, and ept beside dem. The same pipeline produced the
 * captured responses in `fixtures/ordo-server/`; `ordo-status demo` submits it.
 *
 * Source: fixtures/ordo-server/requests/piney-job.json.
 */
export const pineyDamJobRequest = deepFreeze({
  "recipe": {
    "name": "piney-dam-pipeline-example",
    "version": "2.0.0",
    "definition": {
      "recipe": [
        {
          "id": "reproject",
          "type": "REPROJECT_LAS",
          "param_keys": [
            "source_epsg",
            "target_epsg"
          ],
          "inputs": {
            "input_las": "job:input_las"
          },
          "outputs": {
            "output_las": "step:reproject.output_las"
          }
        },
        {
          "id": "dem",
          "type": "GENERATE_DEM",
          "param_keys": [
            "resolution"
          ],
          "inputs": {
            "input_las": "step:reproject.output_las"
          },
          "outputs": {
            "output_dem": "step:dem.output_dem"
          }
        },
        {
          "id": "hillshade",
          "type": "GENERATE_HILLSHADE",
          "param_keys": [
            "azimuth",
            "altitude"
          ],
          "inputs": {
            "input_dem": "step:dem.output_dem"
          },
          "outputs": {
            "output_hillshade": "step:hillshade.output_hillshade"
          }
        },
        {
          "id": "contours",
          "type": "GENERATE_CONTOURS",
          "param_keys": [
            "interval"
          ],
          "inputs": {
            "input_dem": "step:dem.output_dem"
          },
          "outputs": {
            "output_contours": "step:contours.output_contours"
          }
        },
        {
          "id": "ept",
          "type": "BUILD_EPT",
          "inputs": {
            "input_las": "step:reproject.output_las"
          },
          "outputs": {
            "output_ept": "step:ept.output_ept"
          }
        }
      ]
    }
  },
  "inputs": {
    "job:input_las": {
      "type": "las",
      "uri": "development/PINEY DAM MBES 1IN.laz",
      "hash": "abc123def456",
      "metadata": {}
    }
  },
  "params": {
    "reproject": {
      "source_epsg": "EPSG:2271",
      "target_epsg": "EPSG:3857"
    },
    "dem": {
      "resolution": 1
    },
    "hillshade": {
      "azimuth": 315,
      "altitude": 45
    },
    "contours": {
      "interval": 1
    }
  },
  "outputs": {
    "step:dem.output_dem": {
      "path": "final/piney-dam/dem.tif"
    },
    "step:hillshade.output_hillshade": {
      "path": "final/piney-dam/hillshade.tif"
    },
    "step:contours.output_contours": {
      "path": "final/piney-dam/contours.geojson"
    },
    "step:ept.output_ept": {
      "path": "final/piney-dam/ept"
    }
  }
});

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
