import { NVImage, type Niivue } from '@niivue/niivue';
import { ApiFailure } from '../api/api-client.js';

/** How to load one image into the viewer. */
export interface LoadVolumeOptions {
  /** The API address of a viewer route for this image: `file/content` or `viewer/preview`. */
  readonly url: (route: 'file/content' | 'viewer/preview') => string;
  /** The file name (its extension tells niivue the format). */
  readonly name: string;
  readonly colormap: string;
  readonly opacity: number;
  /** Show a large image downsampled first (the server's preview), then swap in the full one. */
  readonly preview: boolean;
  /** Called once the image (or its preview) is drawn. */
  readonly onFirstFrame: (image: NVImage) => void;
  /** Called when the full image is drawn (at once when no preview was shown). */
  readonly onFull: (image: NVImage) => void;
}

/**
 * Loads an image into `nv`. With `preview`, a large one (above 128^3 voxels) is first shown from the
 * server's downsampled copy, an eighth or less of the voxels: niivue's work per image (texture upload,
 * the colour-mapping pass, the gradients for 3D shading, all on the CPU with software WebGL) grows
 * with the voxels, so the first frame comes several times sooner; the full image then replaces it in
 * place, keeping its colour map and opacity, and the crosshair reads the real voxels again.
 */
export async function loadVolume(nv: Niivue, options: LoadVolumeOptions): Promise<NVImage> {
  const { name, colormap, opacity } = options;
  if (options.preview) {
    const response = await fetch(options.url('viewer/preview'), { credentials: 'same-origin' });
    if (!response.ok) throw new ApiFailure(response.status, `HTTP_${response.status}`, response.statusText);
    if (response.status === 200) {
      // niivue's typings list all twenty parameters of NVImage.new; the rest have defaults.
      const fromBytes = NVImage.new.bind(NVImage) as unknown as (
        bytes: ArrayBuffer,
        name: string,
        colormap: string,
        opacity: number,
      ) => Promise<NVImage>;
      const preview = await fromBytes(await response.arrayBuffer(), name, colormap, opacity);
      nv.addVolume(preview);
      options.onFirstFrame(preview);
      const full = await NVImage.loadFromUrl({ url: options.url('file/content'), name });
      full.colormap = preview.colormap;
      full.opacity = preview.opacity;
      // Swapped in place (one redraw), at the preview's position among the layers.
      nv.volumes = nv.volumes.map((v) => (v === preview ? full : v));
      nv.setVolume(full, nv.volumes.indexOf(full));
      options.onFull(full);
      return full;
    }
  }
  const image = await nv.addVolumeFromUrl({ url: options.url('file/content'), name, colormap, opacity });
  options.onFirstFrame(image);
  options.onFull(image);
  return image;
}
