//! Shoppers' review photos as the server takes them: the type read from the bytes (never the name), size and pixel
//! limits checked before decoding, the camera's orientation applied, and two JPEGs made afresh (a display size and a
//! thumbnail), so nothing of the upload but its pixels is kept: no EXIF, no location, no trailing data.

use super::{DISPLAY_EDGE, MAX_PHOTO_BYTES, MAX_PHOTO_PIXELS, THUMB_EDGE};
use crate::kernel::error::{AppError, ErrorCode, Translation};
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits};
use std::io::Cursor;

/// An upload made ready to keep: both JPEGs, and the display size's dimensions for the page's layout.
#[derive(Debug, Clone)]
pub struct PreparedPhoto {
    pub display: Vec<u8>,
    pub thumb: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// Reads an upload and makes its two sizes, or says what is wrong with it (each a 4xx the shopper can act on).
pub fn prepare(bytes: &[u8]) -> Result<PreparedPhoto, AppError> {
    if bytes.is_empty() {
        return Err(AppError::invalid(
            "photo",
            Translation::of("error.rule.photo_empty"),
        ));
    }
    if bytes.len() > MAX_PHOTO_BYTES {
        return Err(super::photo_too_large());
    }
    let format = image::guess_format(bytes)
        .ok()
        .filter(|format| {
            matches!(
                format,
                ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP
            )
        })
        .ok_or_else(|| {
            AppError::new(
                ErrorCode::UnsupportedMediaType,
                Translation::of("error.rule.photo_type"),
            )
            .on_field("photo")
        })?;
    let cut_short = || AppError::invalid("photo", Translation::of("error.rule.photo_damaged"));
    let unreadable = |error: ImageError| match error {
        // A 16-bit or many-channel image can pass the pixel count and still need more memory than the cap.
        ImageError::Limits(_) => {
            AppError::invalid("photo", Translation::of("error.rule.photo_memory"))
        }
        _ => cut_short(),
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    // Decoding a 40-megapixel photo as RGBA takes 160 MB; the cap keeps a crafted header from asking for more.
    limits.max_alloc = Some(MAX_PHOTO_PIXELS * 4 + 16 * 1024 * 1024);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(unreadable)?;
    let (width, height) = decoder.dimensions();
    if width == 0 || height == 0 {
        return Err(cut_short());
    }
    if u64::from(width) * u64::from(height) > MAX_PHOTO_PIXELS {
        return Err(AppError::invalid(
            "photo",
            Translation::with(
                "error.rule.photo_pixels",
                &[
                    (
                        "megapixels",
                        format!("{:.1}", f64::from(width) * f64::from(height) / 1e6),
                    ),
                    ("max", (MAX_PHOTO_PIXELS / 1_000_000).to_string()),
                ],
            ),
        ));
    }
    let orientation = decoder.orientation().map_err(unreadable)?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(unreadable)?;
    if format == ImageFormat::Jpeg && !ends_whole(bytes) {
        return Err(cut_short());
    }
    image.apply_orientation(orientation);
    let image = DynamicImage::ImageRgb8(flatten(image));
    let display = if image.width().max(image.height()) > DISPLAY_EDGE {
        image.resize(
            DISPLAY_EDGE,
            DISPLAY_EDGE,
            image::imageops::FilterType::Triangle,
        )
    } else {
        image
    };
    let thumb = display.thumbnail(THUMB_EDGE, THUMB_EDGE);
    Ok(PreparedPhoto {
        width: display.width(),
        height: display.height(),
        display: jpeg(&display, 85)?,
        thumb: jpeg(&thumb, 80)?,
    })
}

/// Whether a JPEG's data reaches its end-of-image marker. The decoder fills a cut-short file's missing rows with
/// grey rather than failing. The header's segments are stepped over by their lengths to the first scan, since a
/// camera's EXIF block holds a whole thumbnail JPEG, markers and all; after the scan, the marker may be anywhere, as
/// phones add data after it (a motion photo's video).
fn ends_whole(bytes: &[u8]) -> bool {
    let mut at = 2;
    while at + 4 <= bytes.len() {
        if bytes[at] != 0xFF {
            return false;
        }
        match bytes[at + 1] {
            0xFF => at += 1,
            0xDA => return bytes[at..].windows(2).any(|pair| pair == [0xFF, 0xD9]),
            0x01 | 0xD0..=0xD7 => at += 2,
            _ => at += 2 + usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]])),
        }
    }
    false
}

/// The image on white: JPEG keeps no transparency, and a transparent PNG's hidden pixels may be anything.
fn flatten(image: DynamicImage) -> image::RgbImage {
    if !image.color().has_alpha() {
        return image.into_rgb8();
    }
    let rgba = image.into_rgba8();
    image::RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let over_white =
            |c: u8| ((u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a))) / 255) as u8;
        image::Rgb([over_white(r), over_white(g), over_white(b)])
    })
}

fn jpeg(image: &DynamicImage, quality: u8) -> Result<Vec<u8>, AppError> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(image)
        .map_err(|error| {
            tracing::error!(%error, "a review photo could not be encoded");
            AppError::internal()
        })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::ImageEncoder;

    /// A photo-like test image: smooth gradients with some noise, so that it compresses like a photo.
    pub(crate) fn sample(width: u32, height: u32) -> image::RgbImage {
        image::RgbImage::from_fn(width, height, |x, y| {
            let noise = ((x.wrapping_mul(7919) ^ y.wrapping_mul(104_729)) % 23) as u8;
            image::Rgb([
                (x * 255 / width) as u8 ^ noise,
                (y * 255 / height) as u8,
                128 + noise,
            ])
        })
    }

    fn encoded(image: &image::RgbImage, format: ImageFormat) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, format).unwrap();
        out.into_inner()
    }

    #[test]
    fn jpeg_png_and_webp_become_a_display_size_and_a_thumbnail() {
        for format in [ImageFormat::Jpeg, ImageFormat::Png, ImageFormat::WebP] {
            let photo = prepare(&encoded(&sample(2400, 1800), format)).unwrap();
            assert_eq!((photo.width, photo.height), (1600, 1200), "{format:?}");
            let thumb = image::load_from_memory(&photo.thumb).unwrap();
            assert_eq!((thumb.width(), thumb.height()), (320, 240));
            assert_eq!(
                image::guess_format(&photo.display).unwrap(),
                ImageFormat::Jpeg
            );
        }
        let small = prepare(&encoded(&sample(640, 480), ImageFormat::Png)).unwrap();
        assert_eq!(
            (small.width, small.height),
            (640, 480),
            "a small photo is not enlarged"
        );
    }

    #[test]
    fn camera_metadata_is_not_kept() {
        let mut with_exif = Vec::new();
        let mut encoder = image::codecs::jpeg::JpegEncoder::new(&mut with_exif);
        // An EXIF block naming a GPS position, as phones write it.
        let exif = b"Exif\0\0MM\0*\0\0\0\x08\0\x01\x88\x25\0\x04\0\0\0\x01\0\0\0\x1aGPS-SECRET-51.5N-0.12W";
        encoder.set_exif_metadata(exif.to_vec()).unwrap();
        let pixels = sample(800, 600);
        encoder
            .write_image(&pixels, 800, 600, image::ExtendedColorType::Rgb8)
            .unwrap();
        assert!(with_exif.windows(10).any(|w| w == b"GPS-SECRET"));
        let photo = prepare(&with_exif).unwrap();
        for kept in [&photo.display, &photo.thumb] {
            assert!(!kept.windows(10).any(|w| w == b"GPS-SECRET"));
            assert!(!kept.windows(4).any(|w| w == b"Exif"));
        }
    }

    #[test]
    fn transparent_pixels_become_white() {
        let clear = image::RgbaImage::from_pixel(10, 10, image::Rgba([0, 0, 0, 0]));
        let mut png = Cursor::new(Vec::new());
        clear.write_to(&mut png, ImageFormat::Png).unwrap();
        let photo = prepare(&png.into_inner()).unwrap();
        let shown = image::load_from_memory(&photo.display).unwrap().into_rgb8();
        assert!(shown.get_pixel(5, 5).0.iter().all(|&c| c > 245));
    }

    #[test]
    fn what_is_not_a_whole_photo_is_refused_with_what_is_wrong() {
        let php = b"<?php system($_GET['c']); ?>";
        assert_eq!(prepare(php).unwrap_err().status(), 415);
        assert_eq!(prepare(b"").unwrap_err().status(), 422);
        let gif = b"GIF89a\x01\0\x01\0\x80\0\0\0\0\0\xff\xff\xff!\xf9\x04\x01\0\0\0\0,\0\0\0\0\x01\0\x01\0\0\x02\x02D\x01\0;";
        assert_eq!(prepare(gif).unwrap_err().status(), 415);
        let whole = encoded(&sample(800, 600), ImageFormat::Jpeg);
        let cut = prepare(&whole[..whole.len() / 2]).unwrap_err();
        assert_eq!((cut.status(), cut.field.as_deref()), (422, Some("photo")));
        // A camera's JPEG carries a whole thumbnail JPEG in its EXIF block: cut short, it must still be refused.
        let thumbnail = encoded(&sample(64, 48), ImageFormat::Jpeg);
        let mut exif = vec![0xFF, 0xE1];
        exif.extend_from_slice(&((2 + 6 + thumbnail.len()) as u16).to_be_bytes());
        exif.extend_from_slice(b"Exif\0\0");
        exif.extend_from_slice(&thumbnail);
        let camera = [&whole[..2], &exif[..], &whole[2..]].concat();
        assert!(prepare(&camera).is_ok());
        assert_eq!(
            prepare(&camera[..camera.len() / 2]).unwrap_err().status(),
            422
        );
        let png = encoded(&sample(800, 600), ImageFormat::Png);
        assert_eq!(prepare(&png[..png.len() / 2]).unwrap_err().status(), 422);
        assert_eq!(
            prepare(&vec![0xFF; MAX_PHOTO_BYTES + 1])
                .unwrap_err()
                .status(),
            413
        );
    }

    #[test]
    fn a_photo_of_too_many_pixels_is_refused_before_it_is_decoded() {
        // 50 megapixels of one grey compress to a small file; decoding it would take 150 MB.
        let mut png = Vec::new();
        image::codecs::png::PngEncoder::new_with_quality(
            &mut png,
            image::codecs::png::CompressionType::Best,
            image::codecs::png::FilterType::NoFilter,
        )
        .write_image(
            &vec![128u8; 8000 * 6250],
            8000,
            6250,
            image::ExtendedColorType::L8,
        )
        .unwrap();
        let error = prepare(&png).unwrap_err();
        assert_eq!(error.status(), 422);
        assert!(
            error.message.contains("50.0 megapixels"),
            "{}",
            error.message
        );
    }
}
