//! Gzip for text responses, done in one go on the whole body (pages are rendered in memory).
//!
//! actix's streaming `Compress` keeps one deflate state (~260 KB) per response in flight: at 200
//! concurrent connections that is 50 MB, allocated and freed per response. Here each worker
//! thread keeps one deflate state and resets it, so compression costs no allocation and the
//! memory stays flat however many connections wait. Small bodies, binary types and responses
//! that are already encoded (pre-gzipped assets) pass through.

use std::cell::RefCell;

use actix_web::body::{self, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::Error;
use flate2::{Compress, Compression, Crc, FlushCompress, Status};

/// Below this size gzip saves less than a packet.
const MIN_SIZE: usize = 860;

/// The middleware.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let gzip = accepts_gzip(req.headers());
    let res = next.call(req).await?;
    let compressible = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(is_textual);
    if !gzip || !compressible || res.headers().contains_key(header::CONTENT_ENCODING) {
        return Ok(res.map_into_boxed_body());
    }
    let (req, res) = res.into_parts();
    let (mut head, body) = res.into_parts();
    let bytes = body::to_bytes(body).await.map_err(|e| {
        actix_web::error::ErrorInternalServerError(format!("response body: {}", e.into()))
    })?;
    head.headers_mut()
        .append(header::VARY, HeaderValue::from_static("accept-encoding"));
    if bytes.len() < MIN_SIZE {
        return Ok(ServiceResponse::new(
            req,
            head.set_body(bytes).map_into_boxed_body(),
        ));
    }
    let gz = gzip_bytes(&bytes);
    head.headers_mut()
        .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    head.headers_mut().remove(header::CONTENT_LENGTH);
    Ok(ServiceResponse::new(
        req,
        head.set_body(gz).map_into_boxed_body(),
    ))
}

/// Whether the client accepts gzip (and did not refuse it with q=0).
pub fn accepts_gzip(headers: &header::HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.trim().split(';');
            let name = parts.next().unwrap_or("").trim();
            let refused = parts.any(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    == Some(0.0)
            });
            name.eq_ignore_ascii_case("gzip") && !refused
        })
}

fn is_textual(content_type: &str) -> bool {
    let ct = content_type.to_ascii_lowercase();
    ct.starts_with("text/")
        || ct.contains("json")
        || ct.contains("xml")
        || ct.contains("javascript")
        || ct.contains("svg")
        || ct.starts_with("text/calendar")
}

/// Gzip (RFC 1952) of `data` with this thread's reusable deflate state (level 5).
pub fn gzip_bytes(data: &[u8]) -> Bytes {
    thread_local! {
        static DEFLATE: RefCell<Compress> = RefCell::new(Compress::new(Compression::new(5), false));
    }
    DEFLATE.with(|cell| {
        let mut deflate = cell.borrow_mut();
        deflate.reset();
        let mut out = Vec::with_capacity(data.len() / 3 + 64);
        out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
        let start_in = deflate.total_in();
        loop {
            let consumed = (deflate.total_in() - start_in) as usize;
            if out.capacity() - out.len() < 1024 {
                out.reserve(data.len() / 4 + 1024);
            }
            match deflate.compress_vec(&data[consumed..], &mut out, FlushCompress::Finish) {
                Ok(Status::StreamEnd) => break,
                Ok(_) => continue,
                Err(_) => return Bytes::copy_from_slice(data),
            }
        }
        let mut crc = Crc::new();
        crc.update(data);
        out.extend_from_slice(&crc.sum().to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        Bytes::from(out)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn gzip_round_trips_and_the_state_is_reused() {
        let page = "<p>Bonjour le village</p>".repeat(2000);
        for _ in 0..3 {
            let gz = gzip_bytes(page.as_bytes());
            assert!(gz.len() < page.len() / 10);
            let mut back = String::new();
            flate2::read::GzDecoder::new(&gz[..])
                .read_to_string(&mut back)
                .unwrap();
            assert_eq!(back, page);
        }
        assert_eq!(&gzip_bytes(b"")[..2], &[0x1f, 0x8b]);
    }

    #[test]
    fn accept_encoding_is_read_with_its_weights() {
        let mut h = header::HeaderMap::new();
        h.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("br, gzip;q=0.8"),
        );
        assert!(accepts_gzip(&h));
        h.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("gzip;q=0, br"),
        );
        assert!(!accepts_gzip(&h));
        h.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("identity"),
        );
        assert!(!accepts_gzip(&h));
    }
}
