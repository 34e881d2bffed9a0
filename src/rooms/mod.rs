//! Room booking between associations: rooms are directory places of type room with booking
//! rules; two confirmed bookings of one room (buffer included) never overlap.

pub mod tasks;
