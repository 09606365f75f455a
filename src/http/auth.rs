//! Role checks, in one place: handlers name the policy in their signature
//! (`Authorized<Secretariat>`) and never inspect roles themselves. Deny by default.

use std::future::Future;
use std::marker::PhantomData;
use std::ops::Deref;
use std::pin::Pin;

use actix_web::{dev::Payload, FromRequest, HttpRequest};

use crate::error::AppError;
use crate::identity::Actor;
use crate::identity::Role;

/// Which roles may call an operation.
pub trait Policy {
    const ROLES: &'static [Role];
}

macro_rules! policy {
    ($name:ident, $($role:ident),+) => {
        pub struct $name;
        impl Policy for $name {
            const ROLES: &'static [Role] = &[$(Role::$role),+];
        }
    };
}

policy!(Admin, Admin);
policy!(Secretariat, Secretariat);
policy!(Moderator, Moderator);
policy!(Employee, Employee);

/// A signed-in person holding at least one of `P`'s roles; otherwise 401 or 403.
pub struct Authorized<P: Policy> {
    actor: Actor,
    _policy: PhantomData<P>,
}

impl<P: Policy> Authorized<P> {
    pub fn into_actor(self) -> Actor {
        self.actor
    }
}

impl<P: Policy> Deref for Authorized<P> {
    type Target = Actor;
    fn deref(&self) -> &Actor {
        &self.actor
    }
}

impl<P: Policy + 'static> FromRequest for Authorized<P> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let actor = Actor::from_request(req, payload);
        Box::pin(async move {
            let actor = actor.await?;
            if P::ROLES.iter().any(|r| actor.has(*r)) {
                Ok(Authorized {
                    actor,
                    _policy: PhantomData,
                })
            } else {
                Err(AppError::Forbidden)
            }
        })
    }
}
